import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SQLiteNIO
// SQLiteNIO's own copy of SQLite: the library every connection of the store runs on.
import VaporCSQLite

/// Connections of their own that answer the lists' statements on the task that asks them.
///
/// Through the pool, a statement is a relay of threads: the task asks an event loop for a connection,
/// the connection's thread runs the statement, the task resumes on its own pool, and the connection is
/// handed back on the event loop — four hand-overs, each a wake-up of another thread, that cost more
/// of a list's time on two cores than most of its statements. A list's statement reads committed data
/// only (it is never part of a transaction; ``SQLDatabase/rows(_:)`` checks), so it can run on a
/// connection of its own, right where the task is, as SQLite is meant to be used: in WAL mode a reader
/// never waits for the writer, and each statement sees the store as last committed. Each connection
/// also keeps its statements prepared, so a list asked again is not parsed and planned again.
///
/// A connection is taken while a statement runs. A statement holds its task's thread while it runs (a
/// read's event loop, ``RequestTaskMiddleware``, or a thread of the tasks' pool), so at most one per
/// core runs there, and only a statement known to be quick (its last run took at most
/// ``quickRun``) may take the last of them: a statement that is slow, or not yet known, leaves a thread
/// of the tasks' pool to the others, so a long statement never stalls every request. (Leaving one free
/// for every statement cost the lists a tenth to a fifth of their speed on two cores: half of their
/// statements went to another thread and back.) When no thread is left to a statement, it runs on a
/// thread of the connections' own, one hand-over there and one back, still prepared once; when all
/// those are taken, it goes through the pool as before, so nothing ever waits here. The connections
/// are opened read-only in effect (`query_only`), with the pool's settings (lock wait, page cache,
/// memory map).
final class SQLiteReadConnections: Sendable {
    /// The connections of the service answering the current request (set by ``RequestTaskMiddleware``).
    @TaskLocal static var current: SQLiteReadConnections?

    private struct State {
        /// Connections for statements run on the asking task's thread.
        var idle: [ReadConnection] = []
        /// Connections for statements run on ``threads``.
        var idleOffThread: [ReadConnection] = []
        var threads: NIOThreadPool?
        /// What is known of statements by their text (up to ``knownStatements``, then forgotten all at
        /// once): those that write are left to the pool at once rather than prepared again to be told so.
        var known: [String: Known] = [:]
        var closed = false
    }
    private let state = NIOLockedValueBox(State())

    /// What the last run of a statement showed.
    enum Known: Equatable { case writes, quick, slow }
    static let knownStatements = 1_024

    /// A statement whose last run took at most this long is quick: it may take the tasks' last thread.
    let quickRun: Duration

    /// Statements that may run on the tasks' threads at once in this process, whichever service's
    /// connections run them: one per core, the last for a quick statement only (a process with several
    /// services — the tests — shares them too).
    static let onTaskLimit = System.coreCount
    /// How many of ``onTaskLimit`` are free now.
    private static let onTaskSlots = NIOLockedValueBox(onTaskLimit)

    init(quickRun: Duration = .milliseconds(3)) {
        self.quickRun = quickRun
    }

    /// Opens `onTask` connections to the SQLite file at `path` (once its migrations have run) for
    /// statements run on the asking task's thread, and `offTask` more with a thread each.
    func open(path: String, onTask: Int, offTask: Int = 0) throws {
        SearchRank.install()
        let threads = offTask > 0 ? NIOThreadPool(numberOfThreads: offTask) : nil
        threads?.start()
        state.withLockedValue { $0.threads = threads }
        for index in 0..<(onTask + offTask) {
            let connection = try ReadConnection(path: path)
            state.withLockedValue {
                if index < onTask { $0.idle.append(connection) } else { $0.idleOffThread.append(connection) }
            }
        }
    }

    /// The rows of `query` with `binds`: read on this thread, else on one of the connections' threads;
    /// nil when no connection is free (or none was opened: the store is PostgreSQL) or the statement
    /// writes (`UPDATE ... RETURNING`), which the pool's connections do.
    func rows(_ query: String, _ binds: [SQLiteData]) async throws -> [any StoredRow]? {
        let known = state.withLockedValue { $0.known[query] }
        guard known != .writes else { return nil }
        let run: (rows: [any StoredRow]?, took: Duration)
        if let connection = take(offThread: false, leavingOneFree: known != .quick) {
            defer { giveBack(connection, offThread: false) }
            run = try Self.run(query, binds, on: connection)
        } else if let threads = state.withLockedValue({ $0.threads }), let connection = take(offThread: true) {
            defer { giveBack(connection, offThread: true) }
            run = try await threads.runIfActive { try Self.run(query, binds, on: connection) }
        } else {
            return nil
        }
        let shown: Known = run.rows == nil ? .writes : run.took <= quickRun ? .quick : .slow
        if shown != known {
            state.withLockedValue { state in
                if state.known.count >= Self.knownStatements { state.known = [:] }
                state.known[query] = shown
            }
        }
        return run.rows
    }

    /// What the last run of `query` showed, if it ran here.
    func known(_ query: String) -> Known? {
        state.withLockedValue { $0.known[query] }
    }

    /// Whether a statement may take one of `free` slots on the tasks' threads.
    static func mayRunOnTask(free: Int, leavingOneFree: Bool) -> Bool {
        free > (leavingOneFree ? 1 : 0)
    }

    /// The rows of `query` on `connection`, and how long it took to read them.
    private static func run(_ query: String, _ binds: [SQLiteData], on connection: ReadConnection) throws -> (rows: [any StoredRow]?, took: Duration) {
        var rows: [any StoredRow]?
        let took = try ContinuousClock().measure { rows = try connection.rows(query, binds) }
        return (rows, took)
    }

    /// A connection, on the task's thread only while the process has a slot for it there (and another
    /// beside it when `leavingOneFree`).
    private func take(offThread: Bool, leavingOneFree: Bool = false) -> ReadConnection? {
        if !offThread {
            let slotTaken = Self.onTaskSlots.withLockedValue { slots -> Bool in
                guard Self.mayRunOnTask(free: slots, leavingOneFree: leavingOneFree) else { return false }
                slots -= 1
                return true
            }
            guard slotTaken else { return nil }
        }
        let connection = state.withLockedValue { offThread ? $0.idleOffThread.popLast() : $0.idle.popLast() }
        if connection == nil, !offThread { Self.onTaskSlots.withLockedValue { $0 += 1 } }
        return connection
    }

    private func giveBack(_ connection: ReadConnection, offThread: Bool) {
        if !offThread { Self.onTaskSlots.withLockedValue { $0 += 1 } }
        let closed = state.withLockedValue { state in
            if !state.closed {
                if offThread { state.idleOffThread.append(connection) } else { state.idle.append(connection) }
            }
            return state.closed
        }
        if closed { connection.close() }
    }

    /// How many times the idle connections have planned a statement: prepared it, or prepared it again
    /// where SQLite chose to. A statement asked again with other values is not planned again.
    func plannings() -> Int {
        state.withLockedValue { ($0.idle + $0.idleOffThread).reduce(0) { $0 + $1.plannings } }
    }

    /// Closes the connections; one in use is closed when its statement is done.
    func close() {
        let (idle, threads) = state.withLockedValue { state in
            state.closed = true
            defer { (state.idle, state.idleOffThread, state.threads) = ([], [], nil) }
            return (state.idle + state.idleOffThread, state.threads)
        }
        for connection in idle { connection.close() }
        threads?.shutdownGracefully { _ in }
    }
}

/// One SQLite connection and its prepared statements, used by one task at a time.
private final class ReadConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    /// Prepared statements and their columns by their text; forgotten all at once past ``keptStatements``.
    private var statements: [String: (statement: OpaquePointer, columns: ReadColumns)] = [:]
    static let keptStatements = 256
    /// Statements prepared, and prepared again by SQLite (see ``SQLiteReadConnections/plannings()``).
    private(set) var plannings = 0

    init(path: String) throws {
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
        guard sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite_nio_sqlite3_close(handle)
            throw ReadConnectionError(message: "cannot open \(path): \(message)")
        }
        for pragma in ["PRAGMA query_only = 1", "PRAGMA busy_timeout = 5000", "PRAGMA cache_size = -65536", "PRAGMA mmap_size = 2147418112"] {
            guard sqlite_nio_sqlite3_exec(handle, pragma, nil, nil, nil) == SQLITE_OK else {
                let failure = error()
                close()
                throw failure
            }
        }
    }

    /// The rows, or nil when the statement would write.
    func rows(_ query: String, _ binds: [SQLiteData]) throws -> [any StoredRow]? {
        guard let (statement, columns) = try prepared(query) else { return nil }
        // Reset, its values left bound until the next use binds every one anew: clearing them marks the
        // statement for planning again whenever the planner weighed one of its values (a token's look-up
        // on every request, a customer's count), and such a statement was planned again on every use.
        defer { sqlite_nio_sqlite3_reset(statement) }
        for (index, value) in binds.enumerated() {
            let position = Int32(index + 1)
            let result: Int32 = switch value {
            case .integer(let integer): sqlite_nio_sqlite3_bind_int64(statement, position, Int64(integer))
            case .float(let double): sqlite_nio_sqlite3_bind_double(statement, position, double)
            case .text(let text): sqlite_nio_sqlite3_bind_text64(statement, position, text, UInt64(text.utf8.count), transient, UInt8(SQLITE_UTF8))
            case .blob(let bytes): bytes.withUnsafeReadableBytes {
                sqlite_nio_sqlite3_bind_blob64(statement, position, $0.baseAddress, UInt64($0.count), transient)
            }
            case .null: sqlite_nio_sqlite3_bind_null(statement, position)
            }
            guard result == SQLITE_OK else { throw error() }
        }
        var rows: [any StoredRow] = []
        while true {
            switch sqlite_nio_sqlite3_step(statement) {
            case SQLITE_ROW:
                rows.append(ReadRow(columns: columns, values: (0..<Int32(columns.count)).map { value(statement, at: $0) }))
            case SQLITE_DONE:
                plannings += Int(sqlite_nio_sqlite3_stmt_status(statement, SQLITE_STMTSTATUS_REPREPARE, 1))
                return rows
            default:
                throw error()
            }
        }
    }

    /// The statement prepared (kept for the next time), or nil when it would write.
    private func prepared(_ query: String) throws -> (OpaquePointer, ReadColumns)? {
        if let prepared = statements[query] { return prepared }
        if statements.count >= Self.keptStatements { forgetStatements() }
        var statement: OpaquePointer?
        guard sqlite_nio_sqlite3_prepare_v3(handle, query, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK,
              let statement else { throw error() }
        guard sqlite_nio_sqlite3_stmt_readonly(statement) != 0 else {
            sqlite_nio_sqlite3_finalize(statement)
            return nil
        }
        plannings += 1
        let count = sqlite_nio_sqlite3_column_count(statement)
        let columns = ReadColumns(names: (0..<count).map { String(cString: sqlite_nio_sqlite3_column_name(statement, $0)) })
        statements[query] = (statement, columns)
        return (statement, columns)
    }

    private func value(_ statement: OpaquePointer, at column: Int32) -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER:
            return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, column)))
        case SQLITE_FLOAT:
            return .float(sqlite_nio_sqlite3_column_double(statement, column))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(statement, column) else { return .null }
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            if let bytes = sqlite_nio_sqlite3_column_blob(statement, column) {
                buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: count))
            }
            return .blob(buffer)
        default:
            return .null
        }
    }

    private func forgetStatements() {
        for prepared in statements.values { sqlite_nio_sqlite3_finalize(prepared.statement) }
        statements = [:]
    }

    private func error() -> ReadConnectionError {
        ReadConnectionError(message: handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "no connection")
    }

    func close() {
        forgetStatements()
        sqlite_nio_sqlite3_close(handle)
        handle = nil
    }

    private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

struct ReadConnectionError: Error, CustomStringConvertible {
    let message: String
    var description: String { "SQLite: \(message)" }
}

/// The columns of one statement by name, shared by its rows.
private final class ReadColumns: Sendable {
    let count: Int
    let positions: [String: Int]

    init(names: [String]) {
        count = names.count
        // The first of two columns of one name wins, as with SQLiteNIO's rows.
        var positions: [String: Int] = [:]
        for (position, name) in names.enumerated() where positions[name] == nil { positions[name] = position }
        self.positions = positions
    }
}

/// A row read by ``SQLiteReadConnections``.
private struct ReadRow: SQLiteValuedRow {
    let columns: ReadColumns
    let values: [SQLiteData]

    func sqliteValue(_ column: String) -> SQLiteData? { columns.positions[column].map { values[$0] } }
}
