import FluentSQLiteDriver
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// A parameter value for the intake's inserts, independent of the database driver.
enum SQLValue: Sendable, Encodable {
    case null
    case text(String)
    case integer(Int)
    case real(Double)
    case bool(Bool)
    case date(Date)

    init(_ text: String?) { self = text.map(SQLValue.text) ?? .null }
    init(_ integer: Int?) { self = integer.map(SQLValue.integer) ?? .null }
    init(_ date: Date?) { self = date.map(SQLValue.date) ?? .null }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .text(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .real(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .date(let value): try container.encode(value)
        }
    }
}

/// What the intake writer does with the store, inside a transaction or, for a single statement, on its own.
///
/// Inside a SQLite transaction, `insert` and `run` may return before the statement has run: the
/// transaction then waits for every such statement before it commits, and rolls back if one failed.
protocol IntakeStatements: Sendable {
    /// For reads and the occasional statement (idempotency keys, attachments), answered when run.
    var sql: any SQLDatabase { get throws }
    /// Inserts many rows with as few statements as the driver allows: the hot path of intake.
    func insert(into table: String, columns: [String], rows: [[SQLValue]]) async throws
    /// Runs a statement that answers no rows.
    func run(_ statement: SQLQueryString) async throws
}

/// The statements of any SQL database, each run when it is called.
struct SQLStatements: IntakeStatements {
    let sql: any SQLDatabase
    /// PostgreSQL takes at most 65,535 parameters per statement.
    static let maximumParameters = 30_000

    func insert(into table: String, columns: [String], rows: [[SQLValue]]) async throws {
        for chunk in rows.chunked(into: max(1, Self.maximumParameters / columns.count)) {
            var insert = sql.insert(into: table).columns(columns)
            for row in chunk { insert = insert.values(row) }
            try await insert.run()
        }
    }

    func run(_ statement: SQLQueryString) async throws {
        try await sql.raw(statement).run()
    }
}

/// Where the intake queue writes.
protocol IntakeDatabase: IntakeStatements {
    /// The event loop the intake queue runs on (see ``WriterThread``).
    var eventLoop: any EventLoop { get }
    /// The most rows one insert statement takes for a table of `columns` columns.
    func rowsPerStatement(columns: Int) -> Int
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any IntakeStatements) async throws -> T) async throws -> T
    /// Ends the store connection and the writer's thread; called off that thread, once nothing is queued.
    func close() async
}

/// The intake writer's own event loop: the queue runs on it, and the store's answers come back to it,
/// so the writer, which every report passes through in turn, never waits behind the request handlers
/// on the shared executors.
final class WriterThread: Sendable {
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let eventLoop: any EventLoop

    init() {
        eventLoop = group.next()
    }

    func shutdown() async {
        try? await group.shutdownGracefully()
    }
}

/// SQLite: a connection of its own on the writer's thread, so that the single writer never waits for
/// the pool, tuned for writing — a large page cache and `BEGIN IMMEDIATE`, which takes the write lock
/// up front (SQLiteNIO's busy handler waits while another connection writes). Rows are bound as SQLite
/// values directly, without the query builder's per-value encoding.
///
/// A second connection checkpoints the write-ahead log every 100 ms, so that copying pages into the
/// database file (and its fsync) happens beside the writer, which never checkpoints itself; it only
/// rewinds the log when a checkpoint has copied all of it.
///
/// With `synchronous=normal` (the default) a commit has reached the operating system when it
/// returns: an answered report survives the process being killed at any instant; the log is flushed
/// to the disk at each checkpoint. `synchronous=full` also flushes the log at every commit, which
/// guards against power loss too, at the price of the disk's flush latency on every batch.
final class SQLiteIntakeDatabase: IntakeDatabase {
    private let connection: SQLiteConnection
    /// Checkpoints the write-ahead log beside the writer, so that a commit never has to.
    private let checkpointer: SQLiteConnection
    private let checkpoints: Task<Void, Never>
    private let writer = WriterThread()
    /// The one thread the writer's blocking SQLite calls run on. It runs them in the order they were
    /// sent, which is what lets a transaction send its writes without waiting for each answer
    /// (``PipelinedStatements``).
    private let sqliteThread = NIOThreadPool(numberOfThreads: 1)
    let sql: any SQLDatabase
    var eventLoop: any EventLoop { writer.eventLoop }
    /// SQLite accepts 250,000 parameters per statement as built here; stay well below.
    static let maximumParameters = 30_000

    init(path: String, synchronous: AppConfig.SQLiteSynchronous, logger: Logger) async throws {
        sqliteThread.start()
        connection = try await SQLiteConnection.open(storage: .file(path: path), threadPool: sqliteThread, logger: logger,
                                                     on: writer.eventLoop)
        sql = connection.sql()
        // Another process on the same file (SPEC 10) may hold the write lock: wait for it, as the pool does.
        for pragma in ["PRAGMA busy_timeout=5000", "PRAGMA journal_mode=WAL", "PRAGMA synchronous=\(synchronous.rawValue.uppercased())",
                       "PRAGMA foreign_keys=ON", "PRAGMA wal_autocheckpoint=0",
                       "PRAGMA cache_size=-65536", "PRAGMA temp_store=MEMORY"] {
            _ = try await connection.query(pragma)
        }
        let checkpointer = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        self.checkpointer = checkpointer
        checkpoints = Task {
            // A passive checkpoint copies what it can without waiting for the writer or readers.
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                _ = try? await checkpointer.query("PRAGMA wal_checkpoint(PASSIVE)")
            }
        }
    }

    func rowsPerStatement(columns: Int) -> Int {
        max(1, Self.maximumParameters / columns)
    }

    /// Runs `body` in one transaction, taking the write lock up front. The writes `body` makes are sent
    /// without waiting for each answer (see ``PipelinedStatements``); the transaction commits once all
    /// of them have succeeded.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any IntakeStatements) async throws -> T) async throws -> T {
        // Nothing is sent before the lock is held: a write sent after a failed BEGIN would commit on its own.
        _ = try await connection.query("BEGIN IMMEDIATE")
        let statements = PipelinedStatements(database: self)
        do {
            let result = try await body(statements)
            try await statements.finish()
            _ = try await connection.query("COMMIT")
            return result
        } catch {
            // Sent after every statement of the transaction, so it runs after them on the writer's thread.
            _ = try? await connection.query("ROLLBACK")
            throw error
        }
    }

    func insert(into table: String, columns: [String], rows: [[SQLValue]]) async throws {
        for (statement, binds) in insertStatements(into: table, columns: columns, rows: rows) {
            _ = try await connection.query(statement, binds)
        }
    }

    func run(_ statement: SQLQueryString) async throws {
        let (text, binds) = try serialized(statement)
        _ = try await connection.query(text, binds)
    }

    /// Sends a statement to the writer's thread and answers when it has run there.
    fileprivate func send(_ statement: String, _ binds: [SQLiteData]) -> EventLoopFuture<Void> {
        connection.query(statement, binds, logger: connection.logger) { _ in }
    }

    /// Multi-row inserts of at most ``maximumParameters`` values each, with their values bound.
    fileprivate func insertStatements(into table: String, columns: [String], rows: [[SQLValue]]) -> [(String, [SQLiteData])] {
        guard !rows.isEmpty else { return [] }
        let placeholders = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
        let head = "INSERT INTO \"\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ",") + ") VALUES "
        return rows.chunked(into: rowsPerStatement(columns: columns.count)).map { chunk in
            var binds: [SQLiteData] = []
            binds.reserveCapacity(chunk.count * columns.count)
            for row in chunk {
                for value in row { binds.append(Self.sqliteData(value)) }
            }
            return (head + Array(repeating: placeholders, count: chunk.count).joined(separator: ","), binds)
        }
    }

    fileprivate func serialized(_ statement: SQLQueryString) throws -> (String, [SQLiteData]) {
        let (text, binds) = sql.serialize(statement)
        let encoder = SQLiteDataEncoder()
        return (text, try binds.map { try encoder.encode($0) })
    }

    /// The same representation SQLiteNIO gives these types, so that Fluent reads them back.
    private static func sqliteData(_ value: SQLValue) -> SQLiteData {
        switch value {
        case .null: .null
        case .text(let text): .text(text)
        case .integer(let integer): .integer(integer)
        case .real(let real): .float(real)
        case .bool(let bool): .integer(bool ? 1 : 0)
        case .date(let date): .float(date.timeIntervalSince1970)
        }
    }

    func close() async {
        checkpoints.cancel()
        await checkpoints.value
        _ = try? await checkpointer.query("PRAGMA wal_checkpoint(TRUNCATE)")
        try? await checkpointer.close()
        try? await connection.close()
        try? await sqliteThread.shutdownGracefully()
        await writer.shutdown()
    }
}

/// PostgreSQL (or any Fluent database): pooled connections, multi-row inserts through the query builder.
struct FluentIntakeDatabase: IntakeDatabase {
    let database: @Sendable () -> any Database
    private let writer = WriterThread()
    var eventLoop: any EventLoop { writer.eventLoop }

    init(database: @escaping @Sendable () -> any Database) {
        self.database = database
    }

    var sql: any SQLDatabase {
        get throws {
            guard let sql = database() as? any SQLDatabase else { throw StoreError.notSQL }
            return sql
        }
    }

    func rowsPerStatement(columns: Int) -> Int {
        max(1, SQLStatements.maximumParameters / columns)
    }

    func insert(into table: String, columns: [String], rows: [[SQLValue]]) async throws {
        try await SQLStatements(sql: try sql).insert(into: table, columns: columns, rows: rows)
    }

    func run(_ statement: SQLQueryString) async throws {
        try await SQLStatements(sql: try sql).run(statement)
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any IntakeStatements) async throws -> T) async throws -> T {
        try await database().transaction { database in
            guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
            return try await body(SQLStatements(sql: sql))
        }
    }

    func close() async {
        await writer.shutdown()
    }
}

/// The statements of one SQLite transaction. Writes are sent to the writer's thread without waiting
/// for their answers: that thread runs everything in the order it was sent, reads included, so a batch
/// costs a round trip per read instead of one per statement. ``finish()`` waits for every write, so a
/// failed one is known before the transaction commits.
private final class PipelinedStatements: IntakeStatements {
    let database: SQLiteIntakeDatabase
    private let sent = NIOLockedValueBox<[EventLoopFuture<Void>]>([])

    init(database: SQLiteIntakeDatabase) {
        self.database = database
    }

    var sql: any SQLDatabase { database.sql }

    func insert(into table: String, columns: [String], rows: [[SQLValue]]) async throws {
        for (statement, binds) in database.insertStatements(into: table, columns: columns, rows: rows) {
            send(statement, binds)
        }
    }

    func run(_ statement: SQLQueryString) async throws {
        let (text, binds) = try database.serialized(statement)
        send(text, binds)
    }

    private func send(_ statement: String, _ binds: [SQLiteData]) {
        let answer = database.send(statement, binds)
        sent.withLockedValue { $0.append(answer) }
    }

    /// Waits for every write sent; throws the first failure.
    func finish() async throws {
        for answer in sent.withLockedValue({ $0 }) {
            try await answer.get()
        }
    }
}

extension Array {
    func chunked(into size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
