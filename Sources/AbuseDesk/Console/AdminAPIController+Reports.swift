import AbuseDeskCore
import Fluent
import Foundation
import Vapor

extension AdminAPIController {
    /// `GET /admin/v1/reports`: the queue, filtered, sorted and paged.
    @Sendable
    func listReports(_ request: Request) async throws -> Response {
        let actor = try request.authorizeOperator(adminOnly: false)
        var query = QueryParameters(request.url.query)
        query.rejectUnknown(allowed: QueueFilter.parameters + ["sort"] + PageRequest.anchoredParameters)
        let filter = QueueFilter.read(&query, taxonomy: taxonomy, operatorID: actor.operatorID ?? "")
        let sort = query.sort(QueueSortField.self, default: (.createdAt, descending: true))
        let page = query.page(anchored: true)
        try query.check()
        let (items, total) = try await QueueReader(request.db, hints: request.planHints).list(filter, sort: sort, page: page)
        return Envelope.success(.array(items.map(AdminRepresentation.queueItem)), page: page, count: items.count, total: total)
    }

    /// `GET /admin/v1/reports/{id}`: the case file.
    @Sendable
    func showReport(_ request: Request) async throws -> Response {
        try request.authorizeOperator(adminOnly: false)
        return Envelope.success(AdminRepresentation.caseFile(try await CaseFile.load(request.parameters.get("report_id") ?? "", on: request.db)))
    }

    /// `POST /admin/v1/reports/{id}/assign` with `{"operator_id": id | "me" | null}`.
    @Sendable
    func assign(_ request: Request) async throws -> Response {
        let actor = try request.authorizeOperator(adminOnly: false)
        let assignee = try Self.read(request, allowed: ["operator_id"], emptyAllowed: true) { OperatorRequests.assignee($0, me: actor.operatorID ?? "") }
        let report = try await decisions.assign(request.parameters.get("report_id") ?? "", to: assignee, by: actor, on: request.db)
        return Envelope.success(AdminRepresentation.decision(report))
    }

    /// `POST /admin/v1/reports/{id}/route` with `{"account_id"}`.
    @Sendable
    func route(_ request: Request) async throws -> Response {
        let actor = try request.authorizeOperator(adminOnly: false)
        let accountID = try Self.read(request, allowed: ["account_id"], OperatorRequests.route)
        let report = try await decisions.route(request.parameters.get("report_id") ?? "", to: accountID, by: actor, on: request.db)
        return Envelope.success(AdminRepresentation.decision(report))
    }

    /// `POST /admin/v1/reports/{id}/forward` with `{"recipient", "note"?}`.
    @Sendable
    func forward(_ request: Request) async throws -> Response {
        let actor = try request.authorizeOperator(adminOnly: false)
        let forward = try Self.read(request, allowed: ["recipient", "note"], OperatorRequests.forward)
        let report = try await decisions.forward(request.parameters.get("report_id") ?? "", to: forward.recipient, note: forward.note,
                                                 by: actor, on: request.db)
        return Envelope.success(AdminRepresentation.decision(report))
    }

    /// `POST /admin/v1/reports/bulk`: one action on several reports, each on its own; answers each outcome.
    @Sendable
    func bulk(_ request: Request) async throws -> Response {
        let actor = try request.authorizeOperator(adminOnly: false)
        let (action, ids) = try Self.read(request, allowed: ["action", "report_ids", "reason", "operator_id"]) {
            OperatorRequests.bulk($0, me: actor.operatorID ?? "")
        }
        let outcomes = await BulkOutcome.run(action, on: ids, decisions: decisions, by: actor, database: request.db)
        return Envelope.success(.array(outcomes.map(\.json)))
    }

    /// `GET /admin/v1/attachments/{id}`: the file, as a download.
    @Sendable
    func downloadAttachment(_ request: Request) async throws -> Response {
        try request.authorizeOperator(adminOnly: false)
        return try await attachments.download(request.parameters.get("attachment_id") ?? "", for: request)
    }

    // MARK: Mail

    /// `GET /admin/v1/emails?state=failed`: the outbox, newest first.
    @Sendable
    func listEmails(_ request: Request) async throws -> Response {
        try request.authorizeOperator(adminOnly: false)
        var query = QueryParameters(request.url.query)
        query.rejectUnknown(allowed: ["state", "audience", "page", "per_page"])
        let states = query.choices("state", OutboxState.self)
        let audience = query.choice("audience", MessageAudience.self)
        let page = query.page()
        try query.check()
        let (messages, total) = try await OutboxReader(database: request.db).list(states: states, audience: audience, page: page)
        return Envelope.success(.array(messages.map(AdminRepresentation.email)), page: page, count: messages.count, total: total)
    }

    /// `POST /admin/v1/emails/{id}/retry`: a failed or waiting e-mail is due again now.
    @Sendable
    func retryEmail(_ request: Request) async throws -> Response {
        try request.authorizeOperator(adminOnly: false)
        _ = try Self.object(request, allowed: [], emptyAllowed: true)
        let message = try await MailDelivery.retry(request.parameters.get("email_id") ?? "", now: now(), on: request.db)
        return Envelope.success(AdminRepresentation.email(message))
    }
}

/// What became of one report of a bulk request.
struct BulkOutcome: Sendable {
    var reportID: String
    var status: String?
    var error: ClientError?

    var json: JSONValue {
        var object: JSONObject = ["id": .string(reportID), "success": .bool(error == nil)]
        if let status { object["status"] = .string(status) }
        if let error { object["error"] = .string(error.message) }
        return .object(object)
    }

    /// Runs `action` on each report in its own transaction: one refusal does not undo the others.
    static func run(_ action: OperatorRequests.BulkAction, on ids: [String], decisions: ReportDecisions, by actor: AuditActor,
                    database: any Database) async -> [BulkOutcome] {
        var outcomes: [BulkOutcome] = []
        for id in ids {
            do {
                let report: ReportModel
                switch action {
                case .accept: report = try await decisions.decide(.accept, reportID: id, by: actor, on: database)
                case .deny(let reason): report = try await decisions.decide(.deny(reason), reportID: id, by: actor, on: database)
                case .assign(let operatorID): report = try await decisions.assign(id, to: operatorID, by: actor, on: database)
                }
                outcomes.append(BulkOutcome(reportID: id, status: report.status))
            } catch let error as ClientError {
                outcomes.append(BulkOutcome(reportID: id, error: error))
            } catch {
                outcomes.append(BulkOutcome(reportID: id, error: ClientError(status: .internalServerError, code: "InternalError",
                                                                             message: "Something went wrong on our side; nothing was changed for this report.")))
            }
        }
        return outcomes
    }
}

extension AuditActor {
    /// The operator's id, when an operator acts.
    var operatorID: String? {
        if case .operator(let id) = self { return id }
        return nil
    }
}

extension Result where Failure == ValidationFailure {
    /// The value, or the failure as a 400 naming every problem.
    func orRefuse(noun: String = "request") throws -> Success {
        switch self {
        case .success(let value): return value
        case .failure(let failure): throw ClientError.validation(failure, noun: noun)
        }
    }
}
