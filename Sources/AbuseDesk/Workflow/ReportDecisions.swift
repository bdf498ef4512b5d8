import AbuseDeskCore
import Fluent
import Foundation

/// Accepting and denying reports. An accepted report's customer is told at once (in the same transaction).
struct ReportDecisions: Sendable {
    let now: @Sendable () -> Date

    func decide(_ decision: ReportDecision, reportID: String, by actor: AuditActor, on database: any Database) async throws -> ReportModel {
        let now = now()
        return try await database.auditedTransaction { database in
            guard Identifier.isWellFormed(reportID), let report = try await ReportModel.find(reportID, on: database) else {
                throw ClientError.notFound("There is no report \(reportID).")
            }
            let live = try await MitigationModel.query(on: database).filter(\.$reportID == reportID)
                .filter(\.$status ~~ [MitigationStatus.pending, .active, .inReview].map(\.rawValue)).count()
            if let refusal = decision.refusal(from: ReportStatus(rawValue: report.status) ?? .new, liveMitigations: live) {
                throw ClientError.conflict(refusal)
            }
            let before: JSONValue = ["status": .string(report.status), "denial_reason": report.denialReason.map(JSONValue.string) ?? .null]
            switch decision {
            case .accept:
                report.status = ReportStatus.accepted.rawValue
                report.denialReason = nil
            case .deny(let reason):
                report.status = ReportStatus.denied.rawValue
                report.denialReason = reason.rawValue
            }
            report.updatedAt = now
            try await report.save(on: database)
            let after: JSONValue = ["status": .string(report.status), "denial_reason": report.denialReason.map(JSONValue.string) ?? .null]
            try await AuditLog.append(AuditChange(subject: .report, subjectID: reportID, action: decision == .accept ? "report.accepted" : "report.denied",
                                                  before: before, after: after), by: actor, at: now, on: database)
            if decision == .accept, let contact = try await CustomerContact.recipient(of: report, on: database) {
                let message = CustomerNotice.accepted(CustomerContact.view(of: report), to: contact.email, accountID: contact.accountID)
                try await OutboxMessageModel(message, now: now).create(on: database)
            }
            return report
        }
    }
}
