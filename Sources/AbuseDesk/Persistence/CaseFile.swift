import AbuseDeskCore
import Fluent
import Foundation

/// Everything an operator sees of one report: the report, where it was routed and to whom it is
/// assigned, its attachments, the other reports about the same hosts or addresses, every e-mail about
/// it (to every audience, sent or not), its mitigations and appeals, and its history from the audit log.
struct CaseFile: Sendable {
    var report: ReportModel
    var account: AccountModel?
    var assignee: OperatorModel?
    var attachments: [AttachmentModel]
    var related: [QueueItem]
    var emails: [OutboxMessageModel]
    var mitigations: [MitigationModel]
    var appeals: [AppealModel]
    var history: [AuditEntry]

    static func load(_ reportID: String, on database: any Database) async throws -> CaseFile {
        let report = try await ReportDecisions.report(reportID, on: database)
        let mitigations = try await MitigationModel.query(on: database).filter(\.$reportID == reportID)
            .sort(\.$effectiveDate).sort(\.$id).all()
        let appeals = try await AppealModel.query(on: database).filter(\.$reportID == reportID).sort(\.$createdAt).sort(\.$id).all()
        let subjects: [(AuditSubject, String)] = [(.report, reportID)] + mitigations.compactMap { $0.id.map { (.mitigation, $0) } }
            + appeals.compactMap { $0.id.map { (.appeal, $0) } }
        return CaseFile(
            report: report,
            account: try await AccountModel.find(report.accountID, on: database),
            assignee: try await OperatorModel.find(report.assignedTo, on: database),
            attachments: try await AttachmentModel.query(on: database).filter(\.$reportID == reportID).sort(\.$createdAt).all(),
            related: try await QueueReader(database).related(to: reportID),
            emails: try await OutboxMessageModel.query(on: database).filter(\.$reportID == reportID).sort(\.$createdAt).sort(\.$id).all(),
            mitigations: mitigations, appeals: appeals,
            history: try await AuditLog.history(of: subjects, on: database))
    }

    /// How the report was routed, and why, as the routing column records it.
    var routing: (rule: String, value: String?, matched: String?) {
        let object = (try? JSONParser.parse(Array(report.routing.utf8), maximumDepth: 4)) ?? .null
        return (object["rule"]?.stringValue ?? "none", object["ruleValue"]?.stringValue, object["matched"]?.stringValue)
    }
}

