import Fluent
import SQLKit

/// A model read from a raw query's rows rather than through Fluent's query builder, which reflects on the
/// model's properties for every query and every row it reads (a case file's seven queries spent a third of
/// their time there). The model is for reading: its fields are set as values given, so saving it would
/// write every column.
protocol StoredRecord: Model {
    /// The stored columns, in the order of the table.
    static var columns: [String] { get }
    /// The record from a row holding ``columns``.
    init(row: any StoredRow) throws
}

extension SQLDatabase {
    /// The records of `R`'s table that `rest` (a WHERE and ORDER BY clause, or more) selects.
    func records<R: StoredRecord>(_ type: R.Type, _ rest: SQLQueryString) async throws -> [R] {
        try await rows("SELECT \(idents: R.columns, joinedBy: ", ") FROM \(ident: R.schema) " + rest).map(R.init(row:))
    }

    /// The record of `R`'s table with this id, if there is one.
    func record<R: StoredRecord>(_ type: R.Type, id: String) async throws -> R? {
        try await records(type, "WHERE id = \(bind: id)").first
    }
}

extension AppealModel: StoredRecord {}
extension OutboxMessageModel: StoredRecord {}
