import AbuseDeskCore
import Fluent
import Foundation

/// Mitigations of accepted reports and the customers' appeals against them. Every change and the
/// e-mail that tells about it are written in one transaction.
struct Mitigations: Sendable {
    let notices: Notices
    let now: @Sendable () -> Date

    /// Applies `order` to an accepted report: `active` at once, or `pending` until its effective date.
    func apply(_ order: MitigationOrder, to reportID: String, by actor: AuditActor, on database: any Database) async throws -> MitigationModel {
        let now = now()
        return try await database.auditedTransaction { database in
            guard Identifier.isWellFormed(reportID), let report = try await ReportModel.find(reportID, on: database) else {
                throw ClientError.notFound("There is no report \(reportID).")
            }
            guard report.status == ReportStatus.accepted.rawValue else {
                throw ClientError.conflict("Mitigations apply to accepted reports; report \(reportID) is \(report.status). Accept it first.")
            }
            let mitigation = MitigationModel()
            mitigation.id = Identifier.make(at: now)
            mitigation.reportID = reportID
            mitigation.accountID = report.accountID
            mitigation.type = order.type.rawValue
            mitigation.entityType = order.entityType.rawValue
            mitigation.entityID = order.entityID
            mitigation.status = MitigationStatus.inForce(effectiveDate: order.effectiveDate, at: now).rawValue
            mitigation.effectiveDate = order.effectiveDate
            let statement = order.statement.filledIn(accountID: report.accountID, reportID: reportID)
            mitigation.statement = try String(decoding: JSONEncoder().encode(statement), as: UTF8.self)
            if case .operator(let operatorID) = actor { mitigation.createdBy = operatorID }
            mitigation.createdAt = now
            mitigation.updatedAt = now
            try await mitigation.create(on: database)
            try await AuditLog.append(AuditChange(subject: .mitigation, subjectID: mitigation.id ?? "", action: "mitigation.applied", after: [
                "report_id": .string(reportID), "type": .string(mitigation.type), "entity_type": .string(mitigation.entityType),
                "entity_id": .string(mitigation.entityID), "status": .string(mitigation.status),
                "effective_date": .string(RFC3339.format(mitigation.effectiveDate)), "statement": .string(mitigation.statement),
            ]), by: actor, at: now, on: database)
            if let contact = try await CustomerContact.recipient(of: report, on: database) {
                let notice = CustomerNotice.Mitigation(id: mitigation.id ?? "", type: order.type, entityType: order.entityType, entityID: order.entityID,
                                                       effectiveDate: order.effectiveDate, isActive: order.isActive(at: now), statement: statement)
                try await OutboxMessageModel(notices.mitigation(notice, report: CustomerContact.view(of: report), to: contact.email,
                                                                       accountID: contact.accountID), now: now).create(on: database)
            }
            return mitigation
        }
    }

    /// Makes `active` every `pending` mitigation whose effective date has come, each in its own
    /// transaction with its audit entry (by the service itself). Answers how many it activated. A
    /// mitigation that left `pending` meanwhile (appealed, say) is left as it is.
    @discardableResult
    func activateDue(on database: any Database) async throws -> Int {
        let now = now()
        let due = try await MitigationModel.query(on: database).filter(\.$status == MitigationStatus.pending.rawValue)
            .filter(\.$effectiveDate <= now).sort(\.$effectiveDate).limit(500).all()
        var activated = 0
        for candidate in due {
            guard let id = candidate.id else { continue }
            let changed = try await database.auditedTransaction { database in
                guard let mitigation = try await MitigationModel.find(id, on: database), mitigation.status == MitigationStatus.pending.rawValue,
                      MitigationStatus.inForce(effectiveDate: mitigation.effectiveDate, at: now) == .active else { return false }
                try await move(mitigation, to: .active, action: "mitigation.activated", by: .system, at: now, on: database)
                return true
            }
            if changed { activated += 1 }
        }
        return activated
    }

    /// Withdraws a mitigation before it begins: only a `pending` one can be cancelled.
    func cancel(_ mitigationID: String, by actor: AuditActor, on database: any Database) async throws -> MitigationModel {
        let now = now()
        return try await database.auditedTransaction { database in
            guard Identifier.isWellFormed(mitigationID), let mitigation = try await MitigationModel.find(mitigationID, on: database) else {
                throw ClientError.notFound("There is no mitigation \(mitigationID).")
            }
            guard MitigationStatus(rawValue: mitigation.status)?.isCancellable == true else {
                throw ClientError.conflict("Only a pending mitigation can be cancelled; mitigation \(mitigationID) is \(mitigation.status).")
            }
            try await move(mitigation, to: .cancelled, action: "mitigation.cancelled", by: actor, at: now, on: database)
            return mitigation
        }
    }

    /// Answers an open appeal. Granted: the mitigation is removed. Rejected: it is back in force — active,
    /// or pending if its effective date has not come. The customer is told either way, with the reason.
    func decideAppeal(_ appealID: String, grant: Bool, reason: String, by actor: AuditActor,
                      on database: any Database) async throws -> (AppealModel, MitigationModel) {
        let now = now()
        return try await database.auditedTransaction { database in
            guard Identifier.isWellFormed(appealID), let appeal = try await AppealModel.find(appealID, on: database) else {
                throw ClientError.notFound("There is no appeal \(appealID).")
            }
            guard appeal.status == AppealStatus.open.rawValue else {
                throw ClientError.conflict("Appeal \(appealID) was \(appeal.status) already.")
            }
            guard let mitigation = try await MitigationModel.find(appeal.mitigationID, on: database) else {
                throw ClientError.notFound("The mitigation of appeal \(appealID) no longer exists.")
            }
            appeal.status = (grant ? AppealStatus.granted : .rejected).rawValue
            appeal.decidedAt = now
            appeal.decisionReason = reason
            try await appeal.save(on: database)
            try await AuditLog.append(AuditChange(subject: .appeal, subjectID: appealID, action: grant ? "appeal.granted" : "appeal.rejected",
                                                  before: ["status": "open"], after: ["status": .string(appeal.status), "reason": .string(reason)]),
                                      by: actor, at: now, on: database)
            let outcome = MitigationStatus.afterAppeal(granted: grant, effectiveDate: mitigation.effectiveDate, at: now)
            try await move(mitigation, to: outcome, action: grant ? "mitigation.removed" : "mitigation.reinstated", by: actor, at: now, on: database)
            if let report = try await ReportModel.find(appeal.reportID, on: database),
               let contact = try await CustomerContact.recipient(of: report, on: database) {
                let message = notices.appealDecided(mitigationID: mitigation.id ?? "", outcome: outcome, reason: reason,
                                                           report: CustomerContact.view(of: report), to: contact.email, accountID: contact.accountID)
                try await OutboxMessageModel(message, now: now).create(on: database)
            }
            return (appeal, mitigation)
        }
    }

    /// Moves a mitigation to `status` and records the move, before and after, in the audit log.
    private func move(_ mitigation: MitigationModel, to status: MitigationStatus, action: String, by actor: AuditActor, at now: Date,
                      on database: any Database) async throws {
        let before = mitigation.status
        mitigation.status = status.rawValue
        mitigation.updatedAt = now
        try await mitigation.save(on: database)
        try await AuditLog.append(AuditChange(subject: .mitigation, subjectID: mitigation.id ?? "", action: action,
                                              before: ["status": .string(before)], after: ["status": .string(status.rawValue)]),
                                  by: actor, at: now, on: database)
    }

    /// What the customer may do about a report's mitigations now.
    func eligibility(of reportID: String, on database: any Database) async throws -> AppealEligibility {
        let statuses = try await MitigationModel.query(on: database).filter(\.$reportID == reportID).all()
            .compactMap { MitigationStatus(rawValue: $0.status) }
        let appeals = try await AppealModel.query(on: database).filter(\.$reportID == reportID).all()
        return AppealEligibility(mitigationStatuses: statuses, hasOpenAppeal: appeals.contains { $0.status == AppealStatus.open.rawValue },
                                 appealCount: Set(appeals.map(\.requestID)).count)
    }

    /// Puts the appealed mitigations `in_review`, records the appeal and tells the customer it arrived.
    /// A mitigation already in review under an open appeal is answered as it is: repeating an appeal changes
    /// nothing. Any problem refuses the whole request.
    func appeal(_ request: AppealRequest, reportID: String, reportType: ReportType, accountID: String,
                on database: any Database) async throws -> [MitigationModel] {
        let now = now()
        return try await database.auditedTransaction { database in
            let mitigations = try await MitigationModel.query(on: database).filter(\.$reportID == reportID)
                .sort(\.$effectiveDate).sort(\.$id).all()
            let appeals = try await AppealModel.query(on: database).filter(\.$reportID == reportID).all()
            let underOpenAppeal = Set(appeals.filter { $0.status == AppealStatus.open.rawValue }.map(\.mitigationID))
            var problems: [ValidationProblem] = []
            var answered: [MitigationModel] = []
            var newlyAppealed: [(MitigationModel, AppealReason, JSONObject?)] = []

            func consider(_ mitigation: MitigationModel, reason: AppealReason, details: JSONObject?, path: String?) {
                let status = MitigationStatus(rawValue: mitigation.status)
                if status == .inReview, underOpenAppeal.contains(mitigation.id ?? "") {
                    answered.append(mitigation)
                } else if status?.isAppealable == true {
                    answered.append(mitigation)
                    newlyAppealed.append((mitigation, reason, details))
                } else if let path {
                    problems.append(ValidationProblem(path: path, code: .notAllowed,
                                                      message: "Mitigation \(mitigation.id ?? "") is \(mitigation.status); only a pending or active mitigation can be appealed."))
                }
            }

            switch request {
            case .listed(let items):
                for (index, item) in items.enumerated() {
                    guard let mitigation = mitigations.first(where: { $0.id == item.id }) else {
                        problems.append(ValidationProblem(path: "appeals[\(index)].id", code: .notFound,
                                                          message: "Report \(reportID) has no mitigation \(quoted(item.id))."))
                        continue
                    }
                    consider(mitigation, reason: item.reason, details: item.comments.map { ["comments": .string($0)] }, path: "appeals[\(index)].id")
                }
            case .whole(let reason, let details):
                if reason == .counterNotice, ![.dmca, .trademark].contains(reportType) {
                    problems.append(ValidationProblem(path: "type", code: .notAllowed,
                                                      message: "A counter-notice answers a copyright or trademark report; report \(reportID) is \(reportType.rawValue). Use \"appeals\" with the reason \"misclassified\" instead."))
                }
                for mitigation in mitigations { consider(mitigation, reason: reason, details: details, path: nil) }
                if answered.isEmpty, problems.isEmpty {
                    throw ClientError(status: .conflict, code: "NotAppealable",
                                      message: "Report \(reportID) has no pending or active mitigation to appeal.")
                }
            }
            guard problems.isEmpty else { throw ClientError.validation(ValidationFailure(problems), noun: "appeal") }

            let requestCount = Set(appeals.map(\.requestID)).count
            if !newlyAppealed.isEmpty, requestCount >= AppealEligibility.maximumAppeals {
                throw ClientError(status: .conflict, code: "NotAppealable",
                                  message: "Report \(reportID) has had \(requestCount) appeals, the most allowed; write to the abuse team to ask again.")
            }
            let requestID = Identifier.make(at: now)
            for (mitigation, reason, details) in newlyAppealed {
                let appeal = AppealModel()
                appeal.id = Identifier.make(at: now)
                appeal.reportID = reportID
                appeal.mitigationID = mitigation.id ?? ""
                appeal.requestID = requestID
                appeal.accountID = accountID
                appeal.reason = reason.rawValue
                appeal.details = details.map { JSONValue.object($0).serialized() }
                appeal.status = AppealStatus.open.rawValue
                appeal.createdAt = now
                try await appeal.create(on: database)
                let actor = AuditActor.account(accountID)
                try await AuditLog.append(AuditChange(subject: .appeal, subjectID: appeal.id ?? "", action: "appeal.filed", after: [
                    "report_id": .string(reportID), "mitigation_id": .string(appeal.mitigationID), "request_id": .string(requestID),
                    "reason": .string(appeal.reason), "details": .optional(appeal.details), "status": .string(appeal.status),
                ]), by: actor, at: now, on: database)
                try await move(mitigation, to: .inReview, action: "mitigation.appealed", by: actor, at: now, on: database)
            }
            if !newlyAppealed.isEmpty, let report = try await ReportModel.find(reportID, on: database),
               let contact = try await CustomerContact.recipient(of: report, on: database) {
                let message = notices.appealReceived(mitigationIDs: newlyAppealed.map { $0.0.id ?? "" }, reasons: newlyAppealed.map(\.1),
                                                            report: CustomerContact.view(of: report), to: contact.email, accountID: contact.accountID)
                try await OutboxMessageModel(message, now: now).create(on: database)
            }
            return answered
        }
    }
}
