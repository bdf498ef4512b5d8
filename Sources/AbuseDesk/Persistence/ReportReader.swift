import AbuseDeskCore
import Fluent
import Foundation
import SQLKit

/// A report as the Accounts API reads it: the columns both the customer's and the submitter's views need.
struct StoredReport: Sendable {
    var id: String
    var createdAt: Date
    var status: ReportStatus
    var denialReason: String?
    var reportType: ReportType
    var domain: String?
    var notes: String
    var originalWork: String?
    var reporter: Reporter
    var anonymize: Bool
    var accountID: String?
    var submitterAccountID: String?
    var forwardedAt: Date?
    /// The targets' JSON, as the `targets` column keeps it.
    var targets: String
    var details: String

    static let columns = ["id", "created_at", "status", "denial_reason", "report_type", "domain", "notes", "original_work",
                          "reporter_name", "reporter_email", "reporter_phone", "reporter_org", "anonymize", "account_id",
                          "submitter_account_id", "forwarded_at", "targets", "details"]

    init(row: any StoredRow) throws {
        id = try row.string("id")
        createdAt = try row.date("created_at")
        status = ReportStatus(rawValue: try row.string("status")) ?? .new
        denialReason = try row.optionalString("denial_reason")
        reportType = ReportType(rawValue: try row.string("report_type")) ?? .general
        domain = try row.optionalString("domain")
        notes = try row.string("notes")
        originalWork = try row.optionalString("original_work")
        reporter = Reporter(name: try row.string("reporter_name"),
                            email: try row.string("reporter_email"),
                            phone: try row.optionalString("reporter_phone"),
                            organization: try row.optionalString("reporter_org"))
        anonymize = try row.bool("anonymize")
        accountID = try row.optionalString("account_id")
        submitterAccountID = try row.optionalString("submitter_account_id")
        forwardedAt = try row.optionalDate("forwarded_at")
        targets = try row.string("targets")
        details = try row.string("details")
    }

    /// The reported URLs, in the reporter's order.
    var urls: [String] {
        guard let list = try? JSONParser.parse(Array(targets.utf8), maximumDepth: 8).arrayValue else { return [] }
        return list.compactMap { $0["kind"] == "url" ? $0["source"]?.stringValue : nil }
    }

    var detailsObject: JSONObject {
        (try? JSONParser.parse(Array(details.utf8), maximumDepth: 16).objectValue) ?? JSONObject()
    }
}

/// The fields the report lists sort by.
enum ReportSortField: String, CaseIterable, Sendable {
    case id, cdate, domain, type, status
}

/// What narrows a list of reports. Empty lists mean "any".
struct ReportFilter: Sendable {
    var ids: [String] = []
    var createdBefore: Date?
    var createdAfter: Date?
    /// A host name (its subdomains match too) or an address.
    var domains: [String] = []
    var customerStatus: CustomerReportStatus?
    var submitterStatuses: [SubmitterReportStatus] = []
    var types: [ReportType] = []
    var mitigationStatus: MitigationStatus?

    /// True when only status and type narrow the list, so the tallies can count it.
    var needsOnlyTallies: Bool {
        ids.isEmpty && createdBefore == nil && createdAfter == nil && domains.isEmpty && mitigationStatus == nil
    }
}

/// Reads reports for the Accounts API: those routed to an account (as its customer sees them), and those
/// an account submitted. Every query is bounded by the account, so no id reaches another account's report.
struct ReportReader {
    let sql: any SQLDatabase

    enum Side {
        /// Reports routed to the account; denied ones are hidden.
        case customer
        /// Reports the account submitted.
        case submitter
    }

    init(_ database: any Database) throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        self.sql = sql
    }

    func list(_ side: Side, accountID: String, filter: ReportFilter, sort: (ReportSortField, descending: Bool),
              page: PageRequest) async throws -> (reports: [StoredReport], total: Int) {
        let condition = Self.condition(side, accountID: accountID, filter: filter, naming: try await naming(filter.domains))
        let total = try await count(side, accountID: accountID, filter: filter, condition: condition)
        guard total > page.offset else { return ([], total) }
        let key = Self.sortExpression(sort.0, side: side)
        if let anchor = page.anchor {
            // A page next to one already read: from its anchor along the sort's index (M011); with nothing
            // there (a removed report), by its number.
            let seek = PageSeek(sql: sql, from: " FROM reports WHERE " + condition, key: key, keyIsUnique: sort.0 == .id, descending: sort.descending)
            let ids = try await seek.ids(next: anchor, limit: page.size)
            if !ids.isEmpty {
                let rows = try await sql.rows("SELECT \(idents: StoredReport.columns, joinedBy: ", ") FROM reports WHERE id IN (\(binds: ids))")
                return (try rows.map(StoredReport.init(row:)).ordered(as: ids, by: \.id), total)
            }
        }
        let direction: SQLQueryString = sort.descending ? " DESC" : " ASC"
        let query: SQLQueryString = "SELECT \(idents: StoredReport.columns, joinedBy: ", ") FROM reports WHERE " + condition
            + " ORDER BY " + key + direction + (sort.0 == .id ? "" : ", id" + direction)
            + " LIMIT \(literal: page.size) OFFSET \(literal: page.offset)"
        return (try await sql.rows(query).map(StoredReport.init(row:)), total)
    }

    /// How many reports match. Filters on status and type alone — the common lists — are summed from the
    /// tallies the database keeps (M004), a handful of rows however many reports an account has; other
    /// filters count the matching reports.
    private func count(_ side: Side, accountID: String, filter: ReportFilter, condition: SQLQueryString) async throws -> Int {
        let query: SQLQueryString
        if filter.needsOnlyTallies {
            let sideName: SQLQueryString = side == .customer ? "'routed'" : "'submitted'"
            query = "SELECT CAST(COALESCE(SUM(report_count), 0) AS BIGINT) AS n FROM report_tallies WHERE account_id = \(bind: accountID) AND side = "
                + sideName + " AND " + Self.tallyCondition(side, filter: filter)
        } else {
            query = "SELECT COUNT(*) AS n FROM reports WHERE " + condition
        }
        return try await sql.rows(query).first?.integer("n") ?? 0
    }

    /// One report of the account's side, or nil when it is not the account's to see.
    func find(_ side: Side, accountID: String, id: String) async throws -> StoredReport? {
        guard Identifier.isWellFormed(id) else { return nil }
        let query: SQLQueryString = "SELECT \(idents: StoredReport.columns, joinedBy: ", ") FROM reports WHERE id = \(bind: id) AND "
            + Self.condition(side, accountID: accountID, filter: ReportFilter())
        return try await sql.rows(query).first.map(StoredReport.init(row:))
    }

    /// Per report, how many of its mitigations are in each status.
    func mitigationCounts(for reportIDs: [String]) async throws -> [String: [MitigationStatus: Int]] {
        guard !reportIDs.isEmpty else { return [:] }
        let rows = try await sql.rows("""
            SELECT report_id, status, COUNT(*) AS n FROM mitigations WHERE report_id IN (\(binds: reportIDs)) GROUP BY report_id, status
            """)
        var counts: [String: [MitigationStatus: Int]] = [:]
        for row in rows {
            guard let status = MitigationStatus(rawValue: try row.string("status")) else { continue }
            counts[try row.string("report_id"), default: [:]][status] = try row.integer("n")
        }
        return counts
    }

    // MARK: SQL

    // A denial reason is present when it is neither NULL (reports) nor '' (report_tallies).
    private static let inReviewText = "status IN ('new', 'triage')"
    private static let deniedText = "(status = 'denied' OR (status = 'closed' AND COALESCE(denial_reason, '') <> ''))"
    static let inReview = SQLQueryString(inReviewText)
    static let accepted: SQLQueryString = "(status = 'accepted' OR (status = 'closed' AND COALESCE(denial_reason, '') = ''))"
    static let denied = SQLQueryString(deniedText)

    /// The reports naming one of `domains` (host names with their subdomains, or addresses) among their targets.
    private func naming(_ domains: [String]) async throws -> SQLQueryString? {
        let targets = TargetMatch(sql: sql)
        let matches: [SQLQueryString] = domains.compactMap { text in
            if let host = HostName(text) { return targets.host(host) }
            return IPAddress(text).map(targets.address)
        }
        guard !matches.isEmpty else { return domains.isEmpty ? nil : "FALSE" }
        return try await targets.reports(naming: "(" + matches.joined(separator: " OR ") + ")").condition
    }

    static func condition(_ side: Side, accountID: String, filter: ReportFilter, naming: SQLQueryString? = nil) -> SQLQueryString {
        let owner: SQLQueryString = side == .customer ? "account_id = \(bind: accountID)" : "submitter_account_id = \(bind: accountID)"
        var parts: [SQLQueryString] = [owner, tallyCondition(side, filter: filter)]
        if !filter.ids.isEmpty { parts.append("id IN (\(binds: filter.ids))") }
        if let before = filter.createdBefore { parts.append("created_at < \(bind: before)") }
        if let after = filter.createdAfter { parts.append("created_at > \(bind: after)") }
        if let naming { parts.append(naming) }
        if let status = filter.mitigationStatus {
            parts.append("EXISTS (SELECT 1 FROM mitigations WHERE mitigations.report_id = reports.id AND mitigations.status = \(bind: status.rawValue))")
        }
        return "(" + parts.joined(separator: " AND ") + ")"
    }

    /// The part of a filter about status and type: columns both `reports` and `report_tallies` have.
    static func tallyCondition(_ side: Side, filter: ReportFilter) -> SQLQueryString {
        var parts: [SQLQueryString]
        switch side {
        case .customer:
            parts = ["NOT " + denied]
            switch filter.customerStatus {
            case .inReview?: parts.append(inReview)
            case .accepted?: parts.append(accepted)
            case nil: break
            }
        case .submitter:
            parts = []
            if !filter.submitterStatuses.isEmpty {
                let alternatives: [SQLQueryString] = filter.submitterStatuses.map { status in
                    switch status {
                    case .submitted: inReview
                    case .accepted: accepted
                    case .denied: denied
                    }
                }
                parts.append("(" + alternatives.joined(separator: " OR ") + ")")
            }
        }
        if !filter.types.isEmpty { parts.append("report_type IN (\(binds: filter.types.map(\.rawValue)))") }
        return parts.isEmpty ? "TRUE" : "(" + parts.joined(separator: " AND ") + ")"
    }

    static func sortExpression(_ field: ReportSortField, side: Side) -> SQLQueryString {
        switch field {
        case .id: "id"
        case .cdate: "created_at"
        // A report without a domain sorts as the empty one, first, on both stores.
        case .domain: "COALESCE(domain, '')"
        case .type: "report_type"
        case .status: SQLQueryString(statusRank(side))
        }
    }

    /// The statuses each side sees, in alphabetical order (each side's lists have an index of it, M011).
    static func statusRank(_ side: Side) -> String {
        side == .customer
            ? "CASE WHEN \(inReviewText) THEN 1 ELSE 0 END"
            : "CASE WHEN \(inReviewText) THEN 2 WHEN \(deniedText) THEN 1 ELSE 0 END"
    }

}
