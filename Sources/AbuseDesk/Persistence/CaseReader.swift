import AbuseDeskCore
import Fluent
import Foundation
import SQLKit

/// The fields mitigation lists sort by.
enum MitigationSortField: String, CaseIterable, Sendable {
    case type
    case effectiveDate = "effective_date"
    case status
    case entityType = "entity_type"
}

struct MitigationFilter: Sendable {
    var status: MitigationStatus?
    var types: [MitigationType] = []
    var entityType: MitigationEntityType?
    var effectiveBefore: Date?
    var effectiveAfter: Date?
}

/// Reads what belongs to one report: its mitigations and the e-mails sent about it, a page at a time,
/// each page and its total in one statement (found by the report's id: one plan kept for every report).
struct CaseReader {
    let sql: any SQLDatabase

    init(_ database: any Database) throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        self.sql = sql
    }

    func mitigations(of reportID: String, filter: MitigationFilter, sort: (MitigationSortField, descending: Bool),
                     page: PageRequest) async throws -> (items: [MitigationModel], total: Int) {
        var parts: [SQLQueryString] = ["report_id = \(bind: reportID)"]
        if let status = filter.status { parts.append("status = \(bind: status.rawValue)") }
        if !filter.types.isEmpty { parts.append("type IN (\(binds: filter.types.map(\.rawValue)))") }
        if let entityType = filter.entityType { parts.append("entity_type = \(bind: entityType.rawValue)") }
        if let before = filter.effectiveBefore { parts.append("effective_date < \(bind: before)") }
        if let after = filter.effectiveAfter { parts.append("effective_date > \(bind: after)") }
        let condition = " WHERE " + parts.joined(separator: " AND ")
        let direction: SQLQueryString = sort.descending ? " DESC" : " ASC"
        let column: SQLQueryString = switch sort.0 {
        case .type: "type"
        case .effectiveDate: "effective_date"
        case .status: "status"
        case .entityType: "entity_type"
        }
        let (rows, total) = try await sql.rows(MitigationModel.selected + " FROM mitigations" + condition
            + " ORDER BY " + column + direction + ", id" + direction + " LIMIT \(literal: page.size) OFFSET \(literal: page.offset)",
            counted: "SELECT COUNT(*) AS n FROM mitigations" + condition, plan: .kept)
        return (try rows.map(MitigationModel.init(row:)), total)
    }

    /// Sent e-mails about a report to one audience (for customers: to that account only), oldest first.
    func emails(of reportID: String, audience: MessageAudience, accountID: String?, page: PageRequest) async throws -> (items: [StoredEmail], total: Int) {
        var parts: [SQLQueryString] = ["report_id = \(bind: reportID)", "audience = \(bind: audience.rawValue)", "sent_at IS NOT NULL"]
        if let accountID { parts.append("account_id = \(bind: accountID)") }
        let condition = " WHERE " + parts.joined(separator: " AND ")
        let (rows, total) = try await sql.rows(StoredEmail.columns + " FROM outbox_messages" + condition
            + " ORDER BY sent_at, created_at, id LIMIT \(literal: page.size) OFFSET \(literal: page.offset)",
            counted: "SELECT COUNT(*) AS n FROM outbox_messages" + condition, plan: .kept)
        return (try rows.map(StoredEmail.init(row:)), total)
    }
}
