import AbuseDeskCore
import Fluent
import Foundation
import Vapor

extension AdminAPIController {
    /// `POST /admin/v1/mitigations/{id}/cancel`: withdraws a pending mitigation.
    @Sendable
    func cancelMitigation(_ request: Request) async throws -> Response {
        let actor = try request.authorizeOperator(adminOnly: false)
        _ = try Self.object(request, allowed: [], emptyAllowed: true)
        let mitigation = try await mitigations.cancel(request.parameters.get("mitigation_id") ?? "", by: actor, on: request.db)
        return Envelope.success(AdminRepresentation.mitigation(mitigation))
    }

    /// `GET /admin/v1/appeals?status=open`: the appeals queue, oldest first.
    @Sendable
    func listAppeals(_ request: Request) async throws -> Response {
        try request.authorizeOperator(adminOnly: false)
        var query = QueryParameters(request.url.query)
        query.rejectUnknown(allowed: ["status", "page", "per_page"])
        let status = query.choice("status", AppealStatus.self)
        let page = query.page()
        try query.check()
        let (found, total) = try await AppealReader(request.db).list(status: status, oldestFirst: true, page: page)
        return Envelope.success(.array(found.map(AdminRepresentation.appeal)),
                                page: page, count: found.count, total: total)
    }

    /// `POST /admin/v1/appeals/{id}/decision` with `{"decision": "grant"|"reject", "reason": "..."}`.
    @Sendable
    func decideAppeal(_ request: Request) async throws -> Response {
        let actor = try request.authorizeOperator(adminOnly: false)
        let answer = try Self.read(request, allowed: ["decision", "reason"], noun: "decision", OperatorRequests.appealDecision)
        let (appeal, mitigation) = try await mitigations.decideAppeal(request.parameters.get("appeal_id") ?? "", grant: answer.grant,
                                                                      reason: answer.reason, by: actor, on: request.db)
        var result = AdminRepresentation.appeal(appeal).objectValue ?? JSONObject()
        result["mitigation"] = AdminRepresentation.mitigation(mitigation)
        return Envelope.success(.object(result))
    }
}
