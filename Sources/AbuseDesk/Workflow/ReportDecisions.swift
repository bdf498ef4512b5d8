import AbuseDeskCore
import Fluent
import Foundation

/// What operators do to a report itself: take it into triage, route it by hand, accept or deny it,
/// forward it upstream. Each change, its audit entry and the e-mails that tell about it are written in
/// one transaction.
struct ReportDecisions: Sendable {
    let notices: Notices
    let now: @Sendable () -> Date

    /// Accepts or denies a report. The reporter is told either way; on acceptance, so is the customer.
    func decide(_ decision: ReportDecision, reportID: String, by actor: AuditActor, on database: any Database) async throws -> ReportModel {
        let now = now()
        return try await database.auditedTransaction { database in
            let report = try await Self.report(reportID, on: database)
            let live = try await MitigationModel.query(on: database).filter(\.$reportID == reportID)
                .filter(\.$status ~~ MitigationStatus.allCases.filter(\.isLive).map(\.rawValue)).count()
            if let refusal = decision.refusal(from: ReportStatus(rawValue: report.status) ?? .new, liveMitigations: live) {
                throw ClientError.conflict(refusal)
            }
            let before = Self.decisionState(report)
            let wasAccepted = report.status == ReportStatus.accepted.rawValue
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
            try await AuditLog.append(AuditChange(subject: .report, subjectID: reportID, action: decision == .accept ? "report.accepted" : "report.denied",
                                                  before: before, after: Self.decisionState(report)), by: actor, at: now, on: database)
            var messages = [notices.decision(decision, about: CustomerContact.reporterView(of: report))]
            if let contact = try await CustomerContact.recipient(of: report, on: database) {
                if decision == .accept {
                    messages.append(notices.accepted(CustomerContact.view(of: report), to: contact.email, accountID: contact.accountID))
                } else if wasAccepted {
                    // The customer was told it was accepted; now it is gone from their list, and they are told why.
                    messages.append(notices.withdrawn(CustomerContact.view(of: report), routedAway: false, to: contact.email, accountID: contact.accountID))
                }
            }
            for message in messages { try await OutboxMessageModel(message, now: now).create(on: database) }
            return report
        }
    }

    /// Closes a decided report: the case is done. What the customer and the submitter see does not change.
    func close(_ reportID: String, by actor: AuditActor, on database: any Database) async throws -> ReportModel {
        let now = now()
        return try await database.auditedTransaction { database in
            let report = try await Self.report(reportID, on: database)
            let openAppeals = try await AppealModel.query(on: database).filter(\.$reportID == reportID)
                .filter(\.$status == AppealStatus.open.rawValue).count()
            if let refusal = (ReportStatus(rawValue: report.status) ?? .new).closeRefusal(openAppeals: openAppeals) {
                throw ClientError.conflict(refusal)
            }
            let before = Self.decisionState(report)
            report.status = ReportStatus.closed.rawValue
            report.updatedAt = now
            try await report.save(on: database)
            try await AuditLog.append(AuditChange(subject: .report, subjectID: reportID, action: "report.closed", before: before,
                                                  after: Self.decisionState(report)), by: actor, at: now, on: database)
            return report
        }
    }

    /// Gives a report to an operator (or takes it back with `nil`). A new report goes into triage.
    func assign(_ reportID: String, to operatorID: String?, by actor: AuditActor, on database: any Database) async throws -> ReportModel {
        let now = now()
        return try await database.auditedTransaction { database in
            let report = try await Self.report(reportID, on: database)
            if let operatorID, try await OperatorModel.find(operatorID, on: database) == nil {
                throw ClientError.validation(ValidationFailure([ValidationProblem(path: "operator_id", code: .notFound,
                                                                                  message: "There is no operator \(quoted(operatorID)).")]))
            }
            guard report.assignedTo != operatorID else { return report }
            let before: JSONValue = ["status": .string(report.status), "assigned_to": .optional(report.assignedTo)]
            report.assignedTo = operatorID
            if report.status == ReportStatus.new.rawValue, operatorID != nil { report.status = ReportStatus.triage.rawValue }
            report.updatedAt = now
            try await report.save(on: database)
            try await AuditLog.append(AuditChange(subject: .report, subjectID: reportID, action: operatorID == nil ? "report.unassigned" : "report.assigned",
                                                  before: before,
                                                  after: ["status": .string(report.status), "assigned_to": .optional(operatorID)]),
                                      by: actor, at: now, on: database)
            return report
        }
    }

    /// Routes a report to an account by hand: one nothing matched, or one the rules routed wrongly. A
    /// report with mitigations keeps its account (they were applied to that customer).
    func route(_ reportID: String, to accountID: String, by actor: AuditActor, on database: any Database) async throws -> ReportModel {
        let now = now()
        return try await database.auditedTransaction { database in
            let report = try await Self.report(reportID, on: database)
            guard let account = try await AccountModel.find(accountID, on: database) else {
                throw ClientError.validation(ValidationFailure([ValidationProblem(path: "account_id", code: .notFound,
                                                                                  message: "There is no account \(quoted(accountID)).")]))
            }
            guard ReportStatus(rawValue: report.status)?.isOpenToAction == true else {
                throw ClientError.conflict("Report \(reportID) is \(report.status); only an open or accepted report can be routed.")
            }
            guard try await MitigationModel.query(on: database).filter(\.$reportID == reportID).count() == 0 else {
                throw ClientError.conflict("Report \(reportID) has mitigations for its account already; it keeps that account.")
            }
            guard report.accountID != accountID else { return report }
            if account.closedAt != nil {
                throw ClientError.conflict("Account \(accountID) is closed; route the report to an open account.")
            }
            let previous = try await CustomerContact.recipient(of: report, on: database)
            let before: JSONValue = ["account_id": .optional(report.accountID), "routing": .string(report.routing)]
            report.accountID = accountID
            report.routing = Self.manualRouting(accountID: accountID, by: actor)
            report.updatedAt = now
            try await report.save(on: database)
            try await AuditLog.append(AuditChange(subject: .report, subjectID: reportID, action: "report.routed", before: before,
                                                  after: ["account_id": .string(accountID), "routing": .string(report.routing)]),
                                      by: actor, at: now, on: database)
            // An accepted report that reaches a customer only now is news to them; the one it leaves was told it was accepted.
            if report.status == ReportStatus.accepted.rawValue {
                if let email = account.abuseEmail {
                    try await OutboxMessageModel(notices.accepted(CustomerContact.view(of: report), to: email, accountID: accountID), now: now)
                        .create(on: database)
                }
                if let previous {
                    try await OutboxMessageModel(notices.withdrawn(CustomerContact.view(of: report), routedAway: true, to: previous.email,
                                                                   accountID: previous.accountID), now: now).create(on: database)
                }
            }
            return report
        }
    }

    /// Forwards a report to the host upstream of the reported service: e-mailed there (without the
    /// reporter when they asked to stay hidden) and recorded, so the customer sees `external_host_notified`.
    func forward(_ reportID: String, to recipient: EmailAddress, note: String?, by actor: AuditActor,
                 on database: any Database) async throws -> ReportModel {
        let now = now()
        return try await database.auditedTransaction { database in
            let report = try await Self.report(reportID, on: database)
            guard ReportStatus(rawValue: report.status)?.isOpenToAction == true else {
                throw ClientError.conflict("Report \(reportID) is \(report.status); only an open or accepted report can be forwarded.")
            }
            let before: JSONValue = ["forwarded_at": .time(report.forwardedAt),
                                     "forwarded_to": .optional(report.forwardedTo)]
            report.forwardedAt = now
            report.forwardedTo = recipient.value
            report.updatedAt = now
            try await report.save(on: database)
            try await AuditLog.append(AuditChange(subject: .report, subjectID: reportID, action: "report.forwarded", before: before,
                                                  after: ["forwarded_at": .string(RFC3339.format(now)), "forwarded_to": .string(recipient.value),
                                                          "note": .optional(note)]),
                                      by: actor, at: now, on: database)
            let message = notices.forwarded(CustomerContact.view(of: report), addresses: CustomerContact.addresses(of: report),
                                            incident: CustomerContact.incident(of: report), note: note, to: recipient.value)
            try await OutboxMessageModel(message, now: now).create(on: database)
            return report
        }
    }

    static func report(_ reportID: String, on database: any Database) async throws -> ReportModel {
        guard Identifier.isWellFormed(reportID), let report = try await ReportModel.find(reportID, on: database) else {
            throw ClientError.notFound("There is no report \(reportID).")
        }
        return report
    }

    private static func decisionState(_ report: ReportModel) -> JSONValue {
        ["status": .string(report.status), "denial_reason": .optional(report.denialReason)]
    }

    /// The routing column of a report an operator routed: the same shape the intake writes.
    static func manualRouting(accountID: String, by actor: AuditActor) -> String {
        let routing: JSONValue = ["accountID": .string(accountID), "rule": .string(RoutingDecision.Rule.manual.rawValue),
                                  "ruleValue": .string(actor.name), "matched": .null]
        return routing.serialized()
    }
}
