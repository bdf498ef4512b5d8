import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import SQLKit

/// One row of a raw query, its columns read by name as plain values.
protocol StoredRow: Sendable {
    func string(_ column: String) throws -> String
    func optionalString(_ column: String) throws -> String?
    func integer(_ column: String) throws -> Int
    func double(_ column: String) throws -> Double
    func date(_ column: String) throws -> Date
    func optionalDate(_ column: String) throws -> Date?
    func bool(_ column: String) throws -> Bool
    /// Whether the query read a column of this name.
    func has(_ column: String) -> Bool
}

extension SQLDatabase {
    /// The rows of a query, for the readers that turn many rows into a page.
    ///
    /// On SQLite the statement runs on a connection of the request's own (``SQLiteReadConnections``)
    /// or on the database's thread, and its rows come back at once, each
    /// column converted directly: through SQLKit every row is handed to the event loop as a task of its
    /// own and every nullable column is decoded by a generic decoder — together over a third of the CPU
    /// a queue page of fifty rows cost. PostgreSQL's come through PostgresNIO itself (``PostgresRows``),
    /// or through SQLKit inside a transaction; `plan` says whether PostgreSQL may keep one plan for it.
    func rows(_ query: SQLQueryString, plan: StatementPlan = .perValue) async throws -> [any StoredRow] {
        let (text, values) = serialize(query)
        // What a transaction reads must be read on its connection, which only the pool and SQLKit hold.
        let outsideTransaction = (self as? any Database).map { !$0.inTransaction } ?? false
        guard let sqlite = self as? any SQLiteDatabase else {
            if outsideTransaction, let postgres = self as? any PostgresDatabase,
               let rows = try await PostgresRows.rows(text, values, plan: plan, on: postgres, logger: logger) {
                return rows
            }
            return try await raw(query).all().map(KitRow.init(row:))
        }
        let encoder = SQLiteDataEncoder()
        let binds = try values.map { try encoder.encode($0) }
        logger.debug("Executing query", metadata: ["sql": .string(text), "binds": .array(binds.map { .string("\($0)") })])
        if outsideTransaction, let connections = SQLiteReadConnections.current, let rows = try await connections.rows(text, binds) {
            return rows
        }
        return try await sqlite.withConnection { connection in
            let collected = CollectedRows()
            try await connection.query(text, binds) { collected.rows.append($0) }
            return collected.rows
        }
    }
}

/// A page's SELECT (`select`, from its columns on) and its list's count (`count`, a statement of one
/// integer column `n`), with the WITH clause both read, if any (`with`: the matches found once, then
/// counted and paged).
struct CountedSelect {
    var with: SQLQueryString?
    var select: SQLQueryString
    var count: SQLQueryString

    init(with: SQLQueryString? = nil, select: SQLQueryString, count: SQLQueryString) {
        self.with = with
        self.select = select
        self.count = count
    }

    /// The page with its total beside each row's columns, as `list_total`, in one statement: the count is
    /// a subquery that names nothing of the rows, which both stores evaluate once, and a round trip to
    /// the store costs more than a page's rows.
    var statement: SQLQueryString { prefix + "SELECT (" + count + ") AS list_total, " + select }

    /// The count alone, for a page with no row to carry it (past the end).
    var countAlone: SQLQueryString { prefix + count }

    private var prefix: SQLQueryString { with.map { $0 + " " } ?? "" }
}

extension SQLDatabase {
    /// The rows of a page and its list's count (``CountedSelect``): in one statement, or two for a page
    /// past the end.
    func rows(_ counted: CountedSelect, plan: StatementPlan = .perValue) async throws -> (rows: [any StoredRow], count: Int) {
        let rows = try await rows(counted.statement, plan: plan)
        if let first = rows.first { return (rows, try first.integer("list_total")) }
        return (rows, try await count(counted.countAlone))
    }

    /// The rows of a SELECT (`select`, from its columns on) and the count `count` gives, as ``rows(_:plan:)``.
    func rows(_ select: SQLQueryString, counted count: SQLQueryString,
              plan: StatementPlan = .perValue) async throws -> (rows: [any StoredRow], count: Int) {
        try await rows(CountedSelect(select: select, count: count), plan: plan)
    }
}

/// How PostgreSQL plans a reader's statement (SQLite keeps every statement of a read connection
/// prepared, and plans it once for its values as they come).
enum StatementPlan: Sendable {
    /// Sent unnamed, planned anew for its values each time: where the best plan depends on them (a word,
    /// a domain, a status that may be rare or half the store).
    case perValue
    /// Prepared on each connection and run by name (``PostgresPreparedStatements``), so that PostgreSQL may
    /// keep one plan once it costs no more than a plan for each value: for statements whose best plan is
    /// the same for every value — a row by its id, a report's mitigations, a token by its hash. Planning
    /// took longer than running them (a case file: about 2 ms of planning for 0.5 ms of running).
    case kept
}

/// The rows of one statement, appended on the database's thread one after the other and read once
/// the statement is done.
private final class CollectedRows: @unchecked Sendable {
    var rows: [any StoredRow] = []
}

/// A row of SQLite values, each column converted as SQLiteNIO converts it.
protocol SQLiteValuedRow: StoredRow {
    /// The column's value; nil when the query has no column of that name.
    func sqliteValue(_ column: String) -> SQLiteData?
}

extension SQLiteValuedRow {
    private func value<Value: SQLiteDataConvertible>(_ column: String, as type: Value.Type) throws -> Value? {
        guard let data = sqliteValue(column) else { throw StoredRowError.missingColumn(column) }
        if data == .null { return nil }
        guard let value = Value(sqliteData: data) else { throw StoredRowError.mismatch(column: column, type: "\(Value.self)") }
        return value
    }

    private func required<Value: SQLiteDataConvertible>(_ column: String, as type: Value.Type) throws -> Value {
        guard let value = try value(column, as: type) else { throw StoredRowError.mismatch(column: column, type: "\(Value.self)") }
        return value
    }

    func string(_ column: String) throws -> String { try required(column, as: String.self) }
    func optionalString(_ column: String) throws -> String? { try value(column, as: String.self) }
    func integer(_ column: String) throws -> Int { try required(column, as: Int.self) }
    func double(_ column: String) throws -> Double { try required(column, as: Double.self) }
    func date(_ column: String) throws -> Date { try required(column, as: Date.self) }
    func optionalDate(_ column: String) throws -> Date? { try value(column, as: Date.self) }
    func bool(_ column: String) throws -> Bool { try required(column, as: Bool.self) }
    func has(_ column: String) -> Bool { sqliteValue(column) != nil }
}

extension SQLiteRow: SQLiteValuedRow {
    func sqliteValue(_ column: String) -> SQLiteData? { self.column(column) }
}

/// A row read through SQLKit; a nullable column is asked whether it is NULL before the plain type is
/// decoded (the generic `Optional` path is the slow one).
private struct KitRow: StoredRow {
    let row: any SQLRow

    func string(_ column: String) throws -> String { try row.decode(column: column, as: String.self) }
    func optionalString(_ column: String) throws -> String? {
        try row.decodeNil(column: column) ? nil : row.decode(column: column, as: String.self)
    }
    func integer(_ column: String) throws -> Int { try row.decode(column: column, as: Int.self) }
    func double(_ column: String) throws -> Double { try row.decode(column: column, as: Double.self) }
    func date(_ column: String) throws -> Date { try row.decode(column: column, as: Date.self) }
    func optionalDate(_ column: String) throws -> Date? {
        try row.decodeNil(column: column) ? nil : row.decode(column: column, as: Date.self)
    }
    func bool(_ column: String) throws -> Bool { try row.decode(column: column, as: Bool.self) }
    func has(_ column: String) -> Bool { row.contains(column: column) }
}

enum StoredRowError: Error, CustomStringConvertible {
    case missingColumn(String)
    case mismatch(column: String, type: String)

    var description: String {
        switch self {
        case .missingColumn(let column): "the query returned no column \(column)"
        case .mismatch(let column, let type): "the column \(column) does not hold a \(type)"
        }
    }
}
