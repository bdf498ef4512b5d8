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
    /// How many of its mitigations are in each status, where the query read them (the customer's side).
    var mitigationCounts: [MitigationStatus: Int]?

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
        if row.has("mitigation_statuses") {
            var counts: [MitigationStatus: Int] = [:]
            for status in (try row.optionalString("mitigation_statuses") ?? "").split(separator: " ") {
                if let status = MitigationStatus(rawValue: String(status)) { counts[status, default: 0] += 1 }
            }
            mitigationCounts = counts
        }
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

    /// True when nothing narrows the list: its days are counted (M018).
    var narrowsNothing: Bool {
        needsOnlyTallies && customerStatus == nil && submitterStatuses.isEmpty && types.isEmpty
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

    /// Where the counts that choose a plan are remembered (the service's), if anywhere.
    let hints: PlanHints?
    /// A page starting this far into a whole list in filing order is found from its day (`FilingDays`).
    let filingDaysFrom: Int

    init(_ database: any Database, hints: PlanHints? = nil, filingDaysFrom: Int = FilingDays.countedFrom) throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        self.sql = sql
        self.hints = hints
        self.filingDaysFrom = filingDaysFrom
    }

    /// A page of the side's reports and how many there are in all. The page's rows, each report's
    /// mitigations (the customer's side) and the total are read in one statement: a round trip to the
    /// store costs more than the rows of a page.
    func list(_ side: Side, accountID: String, filter: ReportFilter, sort: (ReportSortField, descending: Bool),
              page: PageRequest) async throws -> (reports: [StoredReport], total: Int) {
        let naming = try await naming(filter.domains)
        let condition = Self.condition(side, accountID: accountID, filter: filter, naming: naming?.condition)
        let count = countQuery(side, accountID: accountID, filter: filter, condition: condition)
        let key = Self.sortExpression(sort.0, side: side)
        // The whole list in an order its index gives, counted from the tallies, is planned alike for every
        // account: each sort's index leads with the account (M011).
        let plan: StatementPlan = filter.narrowsNothing ? .kept : .perValue
        if let anchor = page.anchor {
            // A page next to one already read: from its anchor along the sort's index (M011); with nothing
            // there (a removed report), by its number.
            var seek = PageSeek(sql: sql, from: " FROM reports WHERE " + condition, key: key, keyIsUnique: sort.0 == .id, descending: sort.descending)
            seek.plan = plan
            let ids = try await seek.ids(next: anchor, limit: page.size)
            if !ids.isEmpty {
                // Rows by their ids with a total from the tallies: one plan for any status or type asked.
                let (rows, total) = try await sql.rows(columns(side) + " FROM reports WHERE id IN (\(binds: ids))", counted: count,
                                                       plan: filter.needsOnlyTallies ? .kept : .perValue)
                return (try rows.map(StoredReport.init(row:)).ordered(as: ids, by: \.id), total)
            }
        }
        let direction: SQLQueryString = sort.descending ? " DESC" : " ASC"
        let order: SQLQueryString = " ORDER BY " + key + direction + (sort.0 == .id ? "" : ", id" + direction)
        if naming?.isFew == true {
            // A domain few reports name: they are found once, then counted and their page chosen, where a
            // count and a page apart found them twice (each a look-up of every report in the account's index).
            let (rows, total) = try await sql.rows(CountedSelect(
                with: "WITH matching AS MATERIALIZED (SELECT id, " + key + " AS sort_key FROM reports WHERE " + condition + ")",
                select: columns(side) + " FROM reports WHERE id IN (SELECT id FROM matching ORDER BY sort_key" + direction
                    + (sort.0 == .id ? "" : ", id" + direction) + " LIMIT \(literal: page.size) OFFSET \(literal: page.offset))" + order,
                count: "SELECT COUNT(*) AS n FROM matching"))
            return (try rows.map(StoredReport.init(row:)), total)
        }
        // A deep page skips ids alone, and reads the page's rows after: PostgreSQL would read each skipped
        // report's mitigations (a page 2,000 deep, 40,000 of them, took a second).
        let sortsIDs = page.offset > QueueReader.readWholeUpTo
        var from: SQLQueryString = " FROM reports WHERE " + condition
        var skipped = page.offset
        if sort.0 == .cdate, filter.narrowsNothing, page.offset >= filingDaysFrom {
            // Deep into the whole list in filing order: from the day that holds the page (M018).
            let list: FilingDays.List = side == .customer ? .routed(accountID: accountID) : .submitted(accountID: accountID)
            guard let start = try await FilingDays(sql: sql).start(of: list, at: page.offset, descending: sort.descending) else {
                return ([], try await sql.count(count))
            }
            from = from + " AND " + start.condition
            skipped -= start.before
        }
        let (rows, total) = try await sql.rows(page.ofReports(columns(side), from: from, order: order, idsFirst: sortsIDs, skipping: skipped),
                                               counted: count, plan: plan)
        return (try rows.map(StoredReport.init(row:)), total)
    }

    /// How many reports match, as a statement of one column `n`. Filters on status and type alone — the
    /// common lists — are summed from the tallies the database keeps (M004), a handful of rows however
    /// many reports an account has; other filters count the matching reports.
    private func countQuery(_ side: Side, accountID: String, filter: ReportFilter, condition: SQLQueryString) -> SQLQueryString {
        guard filter.needsOnlyTallies else { return "SELECT COUNT(*) AS n FROM reports WHERE " + condition }
        let sideName: SQLQueryString = side == .customer ? "'routed'" : "'submitted'"
        return "SELECT CAST(COALESCE(SUM(report_count), 0) AS BIGINT) AS n FROM report_tallies WHERE account_id = \(bind: accountID) AND side = "
            + sideName + " AND " + Self.tallyCondition(side, filter: filter)
    }

    /// One report of the account's side, or nil when it is not the account's to see.
    func find(_ side: Side, accountID: String, id: String) async throws -> StoredReport? {
        guard Identifier.isWellFormed(id) else { return nil }
        let query: SQLQueryString = "SELECT " + columns(side) + " FROM reports WHERE id = \(bind: id) AND "
            + Self.condition(side, accountID: accountID, filter: ReportFilter())
        return try await sql.rows(query, plan: .kept).first.map(StoredReport.init(row:))
    }

    /// A report's columns; on the customer's side with the statuses of its mitigations, one word each
    /// (from their index by report).
    private func columns(_ side: Side) -> SQLQueryString {
        let columns: SQLQueryString = "\(idents: StoredReport.columns, joinedBy: ", ")"
        guard side == .customer else { return columns }
        let joined: SQLQueryString = sql.dialect.name == "sqlite" ? "group_concat(mitigations.status, ' ')" : "string_agg(mitigations.status, ' ')"
        return columns + ", (SELECT " + joined + " FROM mitigations WHERE mitigations.report_id = reports.id) AS mitigation_statuses"
    }

    // MARK: SQL

    // A denial reason is present when it is neither NULL (reports) nor '' (report_tallies).
    private static let inReviewText = "status IN ('new', 'triage')"
    /// Whether a report is denied, its columns named with `row` before them (a trigger's `NEW.`).
    static func deniedText(row: String = "") -> String {
        "(\(row)status = 'denied' OR (\(row)status = 'closed' AND COALESCE(\(row)denial_reason, '') <> ''))"
    }
    static let inReview = SQLQueryString(inReviewText)
    static let accepted: SQLQueryString = "(status = 'accepted' OR (status = 'closed' AND COALESCE(denial_reason, '') = ''))"
    static let denied = SQLQueryString(deniedText())

    /// The reports naming one of `domains` (host names with their subdomains, or addresses) among their targets.
    private func naming(_ domains: [String]) async throws -> TargetMatch.Naming? {
        let targets = TargetMatch(sql: sql, hints: hints)
        let matches: [SQLQueryString] = domains.compactMap { text in
            if let host = HostName(text) { return targets.host(host) }
            return IPAddress(text).map(targets.address)
        }
        guard !matches.isEmpty else { return domains.isEmpty ? nil : .few("FALSE") }
        return try await targets.reports(naming: "(" + matches.joined(separator: " OR ") + ")")
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
            : "CASE WHEN \(inReviewText) THEN 2 WHEN \(deniedText()) THEN 1 ELSE 0 END"
    }

}
