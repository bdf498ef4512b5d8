import Fluent
import Foundation
import SQLKit

/// A model read from a raw query's rows rather than through Fluent's query builder, which reflects on the
/// model's properties for every query and every row it reads (a case file's seven queries spent a third of
/// their time there). The model is for reading: its fields are set as values given, so saving it would
/// write every column.
protocol StoredRecord: Model {
    /// The stored columns: each model's `static let columns = keys.map(\.description)`, Fluent's own list
    /// of its fields, asked once.
    static var columns: [String] { get }
    /// The record from a row holding ``columns``.
    init(row: any StoredRow) throws
}

extension SQLDatabase {
    /// The records of `R`'s table that `rest` (a WHERE and ORDER BY clause, or more) selects.
    func records<R: StoredRecord>(_ type: R.Type, _ rest: SQLQueryString, plan: StatementPlan = .perValue) async throws -> [R] {
        try await rows("SELECT " + R.selected + " FROM \(ident: R.schema) " + rest, plan: plan).map(R.init(row:))
    }
}

/// The columns of a joined table that a query named `prefix` + column, read by their own names.
struct PrefixedRow: StoredRow {
    let row: any StoredRow
    let prefix: String

    func string(_ column: String) throws -> String { try row.string(prefix + column) }
    func optionalString(_ column: String) throws -> String? { try row.optionalString(prefix + column) }
    func integer(_ column: String) throws -> Int { try row.integer(prefix + column) }
    func double(_ column: String) throws -> Double { try row.double(prefix + column) }
    func date(_ column: String) throws -> Date { try row.date(prefix + column) }
    func optionalDate(_ column: String) throws -> Date? { try row.optionalDate(prefix + column) }
    func bool(_ column: String) throws -> Bool { try row.bool(prefix + column) }
    func has(_ column: String) -> Bool { row.has(prefix + column) }
}

extension StoredRecord {
    /// The columns of the record's table for a SELECT from it alone.
    static var selected: SQLQueryString { "\(idents: columns, joinedBy: ", ")" }

    /// The columns of the record's table (as `table`) for a SELECT, by their own names.
    static func columns(of table: String) -> SQLQueryString {
        SQLQueryString(columns.map { "\(table).\($0)" }.joined(separator: ", "))
    }

    /// The columns of the record's table (as `table`) for a SELECT, each named `prefix` + column.
    static func columns(of table: String, prefixed prefix: String) -> SQLQueryString {
        SQLQueryString(columns.map { "\(table).\($0) AS \(prefix)\($0)" }.joined(separator: ", "))
    }

    /// The record a LEFT JOIN found, from its prefixed columns; nil where it found none (its id NULL).
    init?(row: any StoredRow, prefix: String) throws {
        guard try row.optionalString(prefix + "id") != nil else { return nil }
        try self.init(row: PrefixedRow(row: row, prefix: prefix))
    }
}

extension AppealModel: StoredRecord {}
