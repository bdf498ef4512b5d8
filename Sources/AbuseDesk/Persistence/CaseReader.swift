import AbuseDeskCore
import Fluent
import Foundation

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

/// Reads what belongs to one report: its mitigations and the e-mails sent about it, a page at a time.
struct CaseReader {
    let database: any Database

    func mitigations(of reportID: String, filter: MitigationFilter, sort: (MitigationSortField, descending: Bool),
                     page: PageRequest) async throws -> (items: [MitigationModel], total: Int) {
        let query = MitigationModel.query(on: database).filter(\.$reportID == reportID)
        if let status = filter.status { query.filter(\.$status == status.rawValue) }
        if !filter.types.isEmpty { query.filter(\.$type ~~ filter.types.map(\.rawValue)) }
        if let entityType = filter.entityType { query.filter(\.$entityType == entityType.rawValue) }
        if let before = filter.effectiveBefore { query.filter(\.$effectiveDate < before) }
        if let after = filter.effectiveAfter { query.filter(\.$effectiveDate > after) }
        let total = try await query.copy().count()
        let direction: DatabaseQuery.Sort.Direction = sort.descending ? .descending : .ascending
        switch sort.0 {
        case .type: query.sort(\.$type, direction)
        case .effectiveDate: query.sort(\.$effectiveDate, direction)
        case .status: query.sort(\.$status, direction)
        case .entityType: query.sort(\.$entityType, direction)
        }
        query.sort(\.$id, direction)
        return (try await query.range(page.rows).all(), total)
    }

    /// Sent e-mails about a report to one audience (for customers: to that account only), oldest first.
    func emails(of reportID: String, audience: MessageAudience, accountID: String?, page: PageRequest) async throws -> (items: [OutboxMessageModel], total: Int) {
        let query = OutboxMessageModel.query(on: database)
            .filter(\.$reportID == reportID)
            .filter(\.$audience == audience.rawValue)
            .filter(\.$sentAt != nil)
        if let accountID { query.filter(\.$accountID == accountID) }
        let total = try await query.copy().count()
        return (try await query.sort(\.$sentAt).sort(\.$createdAt).sort(\.$id).range(page.rows).all(), total)
    }
}
