import AbuseDeskCore
import Fluent
import Foundation
import SQLKit

/// What narrows the operators' queue. Empty lists and nils mean "any".
struct QueueFilter: Sendable, Equatable {
    enum Assignee: Sendable, Equatable {
        case nobody
        case `operator`(String)
    }

    var statuses: [ReportStatus] = []
    var types: [ReportType] = []
    var threatType: String?
    var incidentType: String?
    var accountID: String?
    /// Only reports no account was found for.
    var unassigned = false
    var assignee: Assignee?
    /// A host name; its subdomains match too.
    var domain: HostName?
    /// Reports naming an address inside this block (a single address is a /32 or /128).
    var netblock: Netblock?
    /// Words in the id, the reporter's name or address, the notes, the domain or a reported URL.
    var text: String?
    var createdAfter: Date?
    var createdBefore: Date?
}

enum QueueSortField: String, CaseIterable, Sendable {
    case createdAt = "created_at"
    case updatedAt = "updated_at"
    case status, type, domain, severity
}

/// A report as a line of the queue shows it.
struct QueueItem: Sendable, Equatable {
    var id: String
    var createdAt: Date
    var updatedAt: Date
    var status: ReportStatus
    var denialReason: String?
    var reportType: ReportType
    var threatType: String?
    var incidentType: String?
    var attackMethod: String?
    var severity: String?
    var domain: String?
    var accountID: String?
    var accountName: String?
    var assignedTo: String?
    var assigneeEmail: String?
    var reporterName: String
    var targetCount: Int
    var channel: String

    static let columns: SQLQueryString = """
        reports.id, reports.created_at, reports.updated_at, reports.status, reports.denial_reason, reports.report_type,
        reports.threat_type, reports.incident_type, reports.attack_method, reports.severity, reports.domain, reports.account_id,
        accounts.name AS account_name, reports.assigned_to, operators.email AS assignee_email, reports.reporter_name,
        reports.target_count, reports.channel
        """

    /// The reports with the names of their account and assignee.
    static let source: SQLQueryString = """
         FROM reports LEFT JOIN accounts ON accounts.id = reports.account_id LEFT JOIN operators ON operators.id = reports.assigned_to
        """

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: String.self)
        createdAt = try row.decode(column: "created_at", as: Date.self)
        updatedAt = try row.decode(column: "updated_at", as: Date.self)
        status = ReportStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .new
        denialReason = try row.decode(column: "denial_reason", as: String?.self)
        reportType = ReportType(rawValue: try row.decode(column: "report_type", as: String.self)) ?? .general
        threatType = try row.decode(column: "threat_type", as: String?.self)
        incidentType = try row.decode(column: "incident_type", as: String?.self)
        attackMethod = try row.decode(column: "attack_method", as: String?.self)
        severity = try row.decode(column: "severity", as: String?.self)
        domain = try row.decode(column: "domain", as: String?.self)
        accountID = try row.decode(column: "account_id", as: String?.self)
        accountName = try row.decode(column: "account_name", as: String?.self)
        assignedTo = try row.decode(column: "assigned_to", as: String?.self)
        assigneeEmail = try row.decode(column: "assignee_email", as: String?.self)
        reporterName = try row.decode(column: "reporter_name", as: String.self)
        targetCount = try row.decode(column: "target_count", as: Int.self)
        channel = try row.decode(column: "channel", as: String.self)
    }
}

/// Reads the operators' queue: every report, however it came in and wherever it was routed.
struct QueueReader {
    let sql: any SQLDatabase

    init(_ database: any Database) throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        self.sql = sql
    }

    func list(_ filter: QueueFilter, sort: (QueueSortField, descending: Bool), page: PageRequest) async throws -> (items: [QueueItem], total: Int) {
        let condition = Self.condition(filter)
        let total = try await sql.raw("SELECT COUNT(*) AS n FROM reports WHERE " + condition).first()?.decode(column: "n", as: Int.self) ?? 0
        guard total > page.offset else { return ([], total) }
        let direction: SQLQueryString = sort.descending ? " DESC" : " ASC"
        let query: SQLQueryString = "SELECT " + QueueItem.columns + QueueItem.source + " WHERE " + condition + " ORDER BY " + Self.sortExpression(sort.0) + direction + ", reports.id" + direction
            + " LIMIT \(literal: page.size) OFFSET \(literal: page.offset)"
        return (try await sql.raw(query).all().map(QueueItem.init(row:)), total)
    }

    /// Other reports about a host or an address this report names, newest first.
    func related(to reportID: String, limit: Int = 20) async throws -> [QueueItem] {
        let query: SQLQueryString = "SELECT " + QueueItem.columns + QueueItem.source + """
             WHERE reports.id <> \(bind: reportID) AND reports.id IN (
              SELECT other.report_id FROM report_targets mine JOIN report_targets other
                ON (other.host_reversed = mine.host_reversed OR other.ip_key = mine.ip_key)
              WHERE mine.report_id = \(bind: reportID))
             ORDER BY reports.created_at DESC, reports.id DESC LIMIT \(literal: limit)
            """
        return try await sql.raw(query).all().map(QueueItem.init(row:))
    }

    static func condition(_ filter: QueueFilter) -> SQLQueryString {
        var parts: [SQLQueryString] = []
        if !filter.statuses.isEmpty { parts.append("reports.status IN (\(binds: filter.statuses.map(\.rawValue)))") }
        if !filter.types.isEmpty { parts.append("reports.report_type IN (\(binds: filter.types.map(\.rawValue)))") }
        if let threat = filter.threatType { parts.append("reports.threat_type = \(bind: threat)") }
        if let incident = filter.incidentType { parts.append("reports.incident_type = \(bind: incident)") }
        if let account = filter.accountID { parts.append("reports.account_id = \(bind: account)") }
        if filter.unassigned { parts.append("reports.account_id IS NULL") }
        switch filter.assignee {
        case .nobody?: parts.append("reports.assigned_to IS NULL")
        case .operator(let id)?: parts.append("reports.assigned_to = \(bind: id)")
        case nil: break
        }
        if let domain = filter.domain {
            let reversed = domain.reversed
            parts.append("""
                EXISTS (SELECT 1 FROM report_targets t WHERE t.report_id = reports.id
                  AND (t.host_reversed = \(bind: reversed) OR t.host_reversed LIKE \(bind: ReportReader.likeEscaped(reversed) + ".%") ESCAPE '\\'))
                """)
        }
        if let block = filter.netblock {
            parts.append("""
                EXISTS (SELECT 1 FROM report_targets t WHERE t.report_id = reports.id
                  AND t.ip_key BETWEEN \(bind: block.address.indexKey) AND \(bind: block.lastAddress.indexKey))
                """)
        }
        if let text = filter.text?.lowercased(), !text.isEmpty {
            let like = "%" + ReportReader.likeEscaped(text) + "%"
            parts.append("""
                (reports.id = \(bind: text) OR LOWER(reports.notes) LIKE \(bind: like) ESCAPE '\\'
                  OR LOWER(reports.reporter_name) LIKE \(bind: like) ESCAPE '\\' OR LOWER(reports.reporter_email) LIKE \(bind: like) ESCAPE '\\'
                  OR LOWER(COALESCE(reports.domain, '')) LIKE \(bind: like) ESCAPE '\\'
                  OR EXISTS (SELECT 1 FROM report_targets t WHERE t.report_id = reports.id AND LOWER(t.source) LIKE \(bind: like) ESCAPE '\\'))
                """)
        }
        if let after = filter.createdAfter { parts.append("reports.created_at > \(bind: after)") }
        if let before = filter.createdBefore { parts.append("reports.created_at < \(bind: before)") }
        return parts.isEmpty ? "TRUE" : "(" + parts.joined(separator: " AND ") + ")"
    }

    static func sortExpression(_ field: QueueSortField) -> SQLQueryString {
        switch field {
        case .createdAt: "reports.created_at"
        case .updatedAt: "reports.updated_at"
        case .status: "CASE reports.status WHEN 'new' THEN 0 WHEN 'triage' THEN 1 WHEN 'accepted' THEN 2 WHEN 'denied' THEN 3 ELSE 4 END"
        case .type: "reports.report_type"
        case .domain: "COALESCE(reports.domain, '')"
        case .severity: "CASE reports.severity WHEN 'High' THEN 0 WHEN 'Medium' THEN 1 WHEN 'Low' THEN 2 ELSE 3 END"
        }
    }
}
