import AbuseDeskCore
import Fluent
import Foundation
import Vapor

/// `/admin/v1/operators`: the team, for admins. Create, change the role, disable and enable an
/// operator; list and revoke an operator's tokens.
extension AdminAPIController {
    /// `GET /admin/v1/operators`.
    @Sendable
    func listOperators(_ request: Request) async throws -> Response {
        try request.authorizeOperator(adminOnly: true)
        let all = try await OperatorModel.query(on: request.db).sort(\.$email).all()
        return Envelope.success(.array(all.map(AdminRepresentation.operatorAccount)))
    }

    /// `POST /admin/v1/operators` with `{"email", "role", "password"}`.
    @Sendable
    func createOperator(_ request: Request) async throws -> Response {
        let actor = try request.authorizeOperator(adminOnly: true)
        let object = try Self.object(request, allowed: ["email", "role", "password"])
        var check = FieldChecker()
        let email = check.string(object, "email", required: "the operator's e-mail address", length: 1...EmailAddress.maximumLength)
        let role = check.choice(object, "role", OperatorRole.allCases.map(\.rawValue)).flatMap(OperatorRole.init(rawValue:)) ?? .analyst
        let password = Self.password(object, check: &check)
        guard check.problems.isEmpty, let email, let password else { throw ClientError.validation(ValidationFailure(check.problems), noun: "operator") }
        let created = try await operators.createOperator(email: email, role: role, password: password, by: actor, on: request.db)
        return Envelope.success(AdminRepresentation.operatorAccount(created))
    }

    /// `GET /admin/v1/operators/{id}`.
    @Sendable
    func showOperator(_ request: Request) async throws -> Response {
        try request.authorizeOperator(adminOnly: true)
        return Envelope.success(AdminRepresentation.operatorAccount(try await operators.find(request.parameters.get("operator_id") ?? "", on: request.db)))
    }

    /// `PATCH /admin/v1/operators/{id}` with `{"role"}`.
    @Sendable
    func changeOperator(_ request: Request) async throws -> Response {
        let actor = try request.authorizeOperator(adminOnly: true)
        let role = try Self.read(request, allowed: ["role"], noun: "change", OperatorRequests.role)
        let changed = try await operators.setRole(request.parameters.get("operator_id") ?? "", to: role, by: actor, on: request.db)
        return Envelope.success(AdminRepresentation.operatorAccount(changed))
    }

    /// `POST /admin/v1/operators/{id}/disable`: sessions end, tokens are refused, at once.
    @Sendable
    func disableOperator(_ request: Request) async throws -> Response {
        let actor = try request.authorizeOperator(adminOnly: true)
        _ = try Self.object(request, allowed: [], emptyAllowed: true)
        let changed = try await operators.disable(request.parameters.get("operator_id") ?? "", by: actor, on: request.db)
        return Envelope.success(AdminRepresentation.operatorAccount(changed))
    }

    /// `POST /admin/v1/operators/{id}/enable`.
    @Sendable
    func enableOperator(_ request: Request) async throws -> Response {
        let actor = try request.authorizeOperator(adminOnly: true)
        _ = try Self.object(request, allowed: [], emptyAllowed: true)
        let changed = try await operators.enable(request.parameters.get("operator_id") ?? "", by: actor, on: request.db)
        return Envelope.success(AdminRepresentation.operatorAccount(changed))
    }

    /// `GET /admin/v1/operators/{id}/tokens`: without secrets.
    @Sendable
    func listOperatorTokens(_ request: Request) async throws -> Response {
        try request.authorizeOperator(adminOnly: true)
        let tokens = try await operators.tokens(of: request.parameters.get("operator_id") ?? "", on: request.db)
        return Envelope.success(.array(tokens.map { AdminRepresentation.token($0) }))
    }

    /// `DELETE /admin/v1/operators/{id}/tokens/{token_id}`.
    @Sendable
    func revokeOperatorToken(_ request: Request) async throws -> Response {
        let actor = try request.authorizeOperator(adminOnly: true)
        let token = try await operators.revokeToken(request.parameters.get("token_id") ?? "", of: request.parameters.get("operator_id") ?? "",
                                                    by: actor, on: request.db)
        return Envelope.success(AdminRepresentation.token(token))
    }

    /// The `password` property: a string (its length rules are the workflow's).
    static func password(_ object: JSONObject, check: inout FieldChecker) -> String? {
        switch object["password"] {
        case .string(let text)?: return text
        case .none, .null?:
            check.problem("password", .required, "Required: the operator's password, \(OperatorAdministration.minimumPasswordLength) to \(OperatorAdministration.maximumPasswordBytes) bytes.")
        case let other?: check.problem("password", .type, "Must be a string; got \(other.typeName).")
        }
        return nil
    }
}
