import FluentSQLiteDriver
import Fluent
import Foundation
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
protocol IntakeStatements: Sendable {
    /// For the occasional statement (idempotency keys, attachments).
    var sql: any SQLDatabase { get throws }
    /// Inserts many rows with as few statements as the driver allows: the hot path of intake.
    func insert(into table: String, columns: [String], rows: [[SQLValue]]) async throws
}

/// Where the intake queue writes.
protocol IntakeDatabase: IntakeStatements {
    /// The most rows one insert statement takes for a table of `columns` columns.
    func rowsPerStatement(columns: Int) -> Int
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any IntakeStatements) async throws -> T) async throws -> T
    func close() async
}

/// SQLite: a connection of its own, so that the single writer never waits for the pool, tuned for
/// writing — a large page cache and `BEGIN IMMEDIATE`, which takes the write lock up front. Rows are
/// bound as SQLite values directly, without the query builder's per-value encoding.
///
/// A second connection checkpoints the write-ahead log every 100 ms, so that copying pages into the
/// database file (and its fsync) happens beside the writer; the writer's own automatic checkpoint
/// then finds little left to do and only rewinds the log.
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
    let sql: any SQLDatabase
    /// SQLite accepts 250,000 parameters per statement as built here; stay well below.
    private static let maximumParameters = 30_000

    init(path: String, synchronous: AppConfig.SQLiteSynchronous, logger: Logger) async throws {
        connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        sql = connection.sql()
        for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=\(synchronous.rawValue.uppercased())",
                       "PRAGMA foreign_keys=ON", "PRAGMA cache_size=-65536", "PRAGMA temp_store=MEMORY"] {
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

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any IntakeStatements) async throws -> T) async throws -> T {
        _ = try await connection.query("BEGIN IMMEDIATE")
        do {
            let result = try await body(self)
            _ = try await connection.query("COMMIT")
            return result
        } catch {
            _ = try? await connection.query("ROLLBACK")
            throw error
        }
    }

    func insert(into table: String, columns: [String], rows: [[SQLValue]]) async throws {
        guard !rows.isEmpty else { return }
        let rowsPerStatement = rowsPerStatement(columns: columns.count)
        let placeholders = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
        let head = "INSERT INTO \"\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ",") + ") VALUES "
        for chunk in rows.chunked(into: rowsPerStatement) {
            let statement = head + Array(repeating: placeholders, count: chunk.count).joined(separator: ",")
            var binds: [SQLiteData] = []
            binds.reserveCapacity(chunk.count * columns.count)
            for row in chunk {
                for value in row { binds.append(Self.sqliteData(value)) }
            }
            _ = try await connection.query(statement, binds)
        }
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
    }
}

/// PostgreSQL (or any Fluent database): pooled connections, multi-row inserts through the query builder.
struct FluentIntakeDatabase: IntakeDatabase {
    let database: @Sendable () -> any Database

    /// PostgreSQL takes at most 65,535 parameters per statement.
    private static let maximumParameters = 30_000

    private struct Statements: IntakeStatements {
        let sql: any SQLDatabase

        func insert(into table: String, columns: [String], rows: [[SQLValue]]) async throws {
            for chunk in rows.chunked(into: max(1, FluentIntakeDatabase.maximumParameters / columns.count)) {
                var insert = sql.insert(into: table).columns(columns)
                for row in chunk { insert = insert.values(row) }
                try await insert.run()
            }
        }
    }

    var sql: any SQLDatabase {
        get throws {
            guard let sql = database() as? any SQLDatabase else { throw StoreError.notSQL }
            return sql
        }
    }

    func rowsPerStatement(columns: Int) -> Int {
        max(1, Self.maximumParameters / columns)
    }

    func insert(into table: String, columns: [String], rows: [[SQLValue]]) async throws {
        try await Statements(sql: try sql).insert(into: table, columns: columns, rows: rows)
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any IntakeStatements) async throws -> T) async throws -> T {
        try await database().transaction { database in
            guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
            return try await body(Statements(sql: sql))
        }
    }

    func close() async {}
}

extension Array {
    func chunked(into size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
