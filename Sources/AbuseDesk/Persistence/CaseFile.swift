import AbuseDeskCore
import Fluent
import Foundation
import SQLKit

/// Everything an operator sees of one report: the report, where it was routed and to whom it is
/// assigned, its attachments, the other reports about the same hosts or addresses, every e-mail about
/// it (to every audience, sent or not), its mitigations and appeals, and its history from the audit log.
struct CaseFile: Sendable {
    var report: ReportModel
    var account: AccountModel?
    var assignee: OperatorModel?
    var attachments: [AttachmentModel]
    var related: [QueueItem]
    var emails: [StoredEmail]
    var mitigations: [MitigationModel]
    var appeals: [AppealModel]
    var history: [AuditEntry]

    /// Read as records (``StoredRecord``): a case file is read far more often than it is changed.
    static func load(_ reportID: String, on database: any Database) async throws -> CaseFile {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        // The report with its account and assignee, in one statement (their columns named apart from the report's).
        let row = Identifier.isWellFormed(reportID) ? try await sql.rows("SELECT " + ReportModel.columns(of: "reports") + ", "
            + AccountModel.columns(of: "accounts", prefixed: "joined_account_") + ", "
            + OperatorModel.columns(of: "operators", prefixed: "joined_assignee_")
            + " FROM reports LEFT JOIN accounts ON accounts.id = reports.account_id LEFT JOIN operators ON operators.id = reports.assigned_to"
            + " WHERE reports.id = \(bind: reportID)", plan: .kept).first : nil
        guard let row else { throw ClientError.notFound("There is no report \(reportID).") }
        let report = try ReportModel(row: row)
        let account = try AccountModel(row: row, prefix: "joined_account_"), assignee = try OperatorModel(row: row, prefix: "joined_assignee_")
        let mine: SQLQueryString = "WHERE report_id = \(bind: reportID)"
        // Each statement of a case file looks rows up by the report's id: one plan for every report.
        let mitigations = try await sql.records(MitigationModel.self, mine + " ORDER BY effective_date, id", plan: .kept)
        let appeals = try await sql.records(AppealModel.self, mine + " ORDER BY created_at, id", plan: .kept)
        let subjects: [(AuditSubject, String)] = [(.report, reportID)] + mitigations.compactMap { $0.id.map { (.mitigation, $0) } }
            + appeals.compactMap { $0.id.map { (.appeal, $0) } }
        return CaseFile(
            report: report, account: account, assignee: assignee,
            attachments: try await sql.records(AttachmentModel.self, mine + " ORDER BY created_at, id", plan: .kept),
            related: try await QueueReader(database).related(to: reportID),
            emails: try await sql.rows("SELECT " + StoredEmail.columns + " FROM outbox_messages " + mine + " ORDER BY created_at, id",
                                       plan: .kept).map(StoredEmail.init(row:)),
            mitigations: mitigations, appeals: appeals,
            history: try await AuditLog.history(of: subjects, on: database))
    }

    /// How the report was routed, and why, as the routing column records it.
    var routing: (rule: String, value: String?, matched: String?) {
        let object = (try? JSONParser.parse(Array(report.routing.utf8), maximumDepth: 4)) ?? .null
        return (object["rule"]?.stringValue ?? "none", object["ruleValue"]?.stringValue, object["matched"]?.stringValue)
    }
}

