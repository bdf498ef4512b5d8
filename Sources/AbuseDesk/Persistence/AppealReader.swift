import AbuseDeskCore
import Fluent
import Foundation
import SQLKit

/// Reads the appeals queue for operators: the appeals in one status, in filing order, a page and its
/// exact total in one statement (a status's appeals are a range of their index, M011).
struct AppealReader {
    let sql: any SQLDatabase

    init(_ database: any Database) throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        self.sql = sql
    }

    func list(status: AppealStatus?, oldestFirst: Bool, page: PageRequest) async throws -> (items: [AppealModel], total: Int) {
        let condition: SQLQueryString = status.map { "status = \(bind: $0.rawValue)" } ?? "TRUE"
        let count: SQLQueryString = "SELECT COUNT(*) AS n FROM appeals WHERE " + condition
        let direction: SQLQueryString = oldestFirst ? " ASC" : " DESC"
        let (rows, total) = try await sql.rows(AppealModel.selected + " FROM appeals WHERE " + condition
            + " ORDER BY created_at" + direction + ", id" + direction + " LIMIT \(literal: page.size) OFFSET \(literal: page.offset)", counted: count)
        return (try rows.map(AppealModel.init(row:)), total)
    }
}

extension AppealModel {
    /// The stored columns, read as rows for a page of the appeals queue.
    static let columns = keys.map(\.description)

    /// An appeal as stored, from a row of ``columns``.
    convenience init(row: any StoredRow) throws {
        self.init()
        id = try row.string("id")
        reportID = try row.string("report_id")
        mitigationID = try row.string("mitigation_id")
        requestID = try row.string("request_id")
        accountID = try row.optionalString("account_id")
        reason = try row.string("reason")
        details = try row.optionalString("details")
        status = try row.string("status")
        createdAt = try row.date("created_at")
        decidedAt = try row.optionalDate("decided_at")
        decisionReason = try row.optionalString("decision_reason")
        $id.exists = true
    }
}
