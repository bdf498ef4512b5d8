import AbuseDeskCore
import Fluent
import Foundation
import Vapor

/// For admins: the operators, each with their role, access and admin-API tokens. For everyone: changing
/// one's own password.
extension ConsoleController {
    struct OperatorsPage: Encodable {
        struct Row: Encodable {
            var id: String
            var email: String
            var role: String
            var created: String
            var disabled: String?
        }

        var rows: [Row]
        var roles: [Option]
        var draftEmail: String
    }

    @Sendable
    func operatorsPage(_ request: Request) async throws -> Response {
        try await renderOperators(request, notice: request.query["done"] == "created" ? "The operator is created and can sign in now." : nil)
    }

    func renderOperators(_ request: Request, notice: String? = nil, problems: [Problem] = [], draft: JSONObject = [:],
                         status: HTTPResponseStatus = .ok) async throws -> Response {
        _ = try request.signedInOperator(adminOnly: true)
        let rows = try await OperatorModel.query(on: request.db).sort(\.$email).all().map {
            OperatorsPage.Row(id: $0.id ?? "", email: $0.email, role: $0.role, created: ConsoleFormat.time($0.createdAt),
                              disabled: $0.disabledAt.map(ConsoleFormat.time))
        }
        let page = OperatorsPage(rows: rows, roles: Option.list(OperatorRole.allCases.map(\.rawValue), selected: [draft["role"]?.stringValue ?? "analyst"]),
                                 draftEmail: draft["email"]?.stringValue ?? "")
        return try await ConsoleView.render("operators", title: "Operators", nav: "operators", page: page, notice: notice, problems: problems,
                                            status: status, for: request)
    }

    @Sendable
    func createOperator(_ request: Request) async throws -> Response {
        let signedIn = try request.signedInOperator(adminOnly: true)
        let form = try Self.form(request)
        let role = form["role"]?.stringValue.flatMap(OperatorRole.init(rawValue:)) ?? .analyst
        do {
            _ = try await operators.createOperator(email: form["email"]?.stringValue ?? "", role: role,
                                                        password: form["password"]?.stringValue ?? "", by: signedIn.actor, on: request.db)
        } catch let error as ClientError where error.status == .badRequest || error.status == .conflict {
            return try await renderOperators(request, problems: Problem.from(error, labels: Self.operatorLabels),
                                             draft: form, status: error.status)
        }
        return request.redirect(toLocal: "/console/operators?done=created")
    }

    static let operatorLabels = ["email": "E-mail address", "password": "Password", "role": "Role", "current": "Current password",
                                 "repeat": "The new password again"]

    struct OperatorPage: Encodable {
        struct Token: Encodable {
            var id: String
            var created: String
            var expires: String
            var lastUsed: String?
            var revoked: String?
        }

        var id: String
        var email: String
        var role: String
        var created: String
        var disabled: String?
        var roles: [Option]
        var tokens: [Token]
    }

    @Sendable
    func operatorPage(_ request: Request) async throws -> Response {
        let notice = request.query["done"].flatMap {
            ["role": "The role is changed.", "disable": "The operator is disabled: their sessions ended and their tokens are refused.",
             "enable": "The operator can sign in again.", "revoke": "The token is revoked."][$0]
        }
        return try await renderOperator(request, notice: notice)
    }

    func renderOperator(_ request: Request, notice: String? = nil, problems: [Problem] = [], status: HTTPResponseStatus = .ok) async throws -> Response {
        _ = try request.signedInOperator(adminOnly: true)
        let id = request.parameters.get("operator_id") ?? ""
        let member = try await operators.find(id, on: request.db)
        let tokens = try await operators.tokens(of: id, on: request.db)
        let page = OperatorPage(
            id: id, email: member.email, role: member.role, created: ConsoleFormat.time(member.createdAt), disabled: member.disabledAt.map(ConsoleFormat.time),
            roles: Option.list(OperatorRole.allCases.map(\.rawValue), selected: [member.role]),
            tokens: tokens.map { token in
                OperatorPage.Token(id: token.id ?? "", created: ConsoleFormat.time(token.createdAt),
                                   expires: token.expiresAt.map(ConsoleFormat.time) ?? "never", lastUsed: token.lastUsedAt.map(ConsoleFormat.time),
                                   revoked: token.revokedAt.map(ConsoleFormat.time))
            })
        return try await ConsoleView.render("operator", title: member.email, nav: "operators", page: page, notice: notice, problems: problems,
                                            status: status, for: request)
    }

    /// `POST /console/operators/{id}/{role|disable|enable}` and `.../tokens/{token_id}` (revoke).
    /// Disabling and revoking ask for confirmation first.
    @Sendable
    func operatorAction(_ request: Request) async throws -> Response {
        let signedIn = try request.signedInOperator(adminOnly: true)
        let id = request.parameters.get("operator_id") ?? ""
        let action = request.parameters.get("action") ?? ""
        let item = request.parameters.get("item_id")
        let form = try Self.form(request)
        let member = try await operators.find(id, on: request.db)
        let back = "/console/operators/\(id)"
        if !ConsoleConfirmation.isConfirmed(request) {
            switch (action, item) {
            case ("disable", nil):
                return try await ConsoleConfirmation.ask(
                    request, question: "Disable \(member.email)?",
                    consequence: "Their sessions end and their tokens are refused at once, on every server. What they did stays as it is; an admin can enable them again.",
                    button: "Disable the operator", cancelURL: back)
            case ("tokens", let tokenID?):
                return try await ConsoleConfirmation.ask(
                    request, question: "Revoke the token \(tokenID) of \(member.email)?",
                    consequence: "Every call made with it is refused from this moment, on every server. This cannot be undone.",
                    button: "Revoke the token", cancelURL: back)
            default:
                break
            }
        }
        do {
            switch (action, item) {
            case ("role", nil):
                let role = try OperatorRequests.role(form).orRefuse(noun: "change")
                _ = try await operators.setRole(id, to: role, by: signedIn.actor, on: request.db)
            case ("disable", nil):
                _ = try await operators.disable(id, by: signedIn.actor, on: request.db)
            case ("enable", nil):
                _ = try await operators.enable(id, by: signedIn.actor, on: request.db)
            case ("tokens", let tokenID?):
                _ = try await operators.revokeToken(tokenID, of: id, by: signedIn.actor, on: request.db)
            default:
                throw ClientError.notFound("There is no such action for operators.")
            }
        } catch let error as ClientError where error.status == .badRequest || error.status == .conflict {
            return try await renderOperator(request, problems: Problem.from(error, labels: Self.operatorLabels), status: error.status)
        }
        return request.redirect(toLocal: "\(back)?done=\(item == nil ? action : "revoke")")
    }

    // MARK: My password

    @Sendable
    func passwordPage(_ request: Request) async throws -> Response {
        try await ConsoleView.render("password", title: "Change my password", nav: "", page: [String: String](),
                                     notice: request.query["done"] == "password" ? "Your password is changed; your other sessions ended." : nil,
                                     for: request)
    }

    /// Checks the current password, then sets the new one (given twice) and ends the operator's other sessions.
    @Sendable
    func changePassword(_ request: Request) async throws -> Response {
        let signedIn = try request.signedInOperator()
        let form = try Self.form(request)
        let me = try await operators.find(signedIn.id, on: request.db)
        var problems: [ValidationProblem] = []
        let current = form["current"]?.stringValue ?? ""
        if !(try await operators.checkPassword(current, of: me)) {
            problems.append(ValidationProblem(path: "current", code: .mismatch, message: "Is not your current password."))
        }
        let password = form["password"]?.stringValue ?? ""
        problems += OperatorAdministration.passwordProblems(password)
        if password != (form["repeat"]?.stringValue ?? "") {
            problems.append(ValidationProblem(path: "repeat", code: .mismatch, message: "Must be the new password once more; the two differ."))
        }
        do {
            guard problems.isEmpty else { throw ClientError.validation(ValidationFailure(problems), noun: "password") }
            _ = try await operators.setPassword(signedIn.id, to: password, keepingSession: ConsoleSessions.sessionID(of: request),
                                                by: signedIn.actor, on: request.db)
        } catch let error as ClientError where error.status == .badRequest {
            return try await ConsoleView.render("password", title: "Change my password", nav: "", page: [String: String](),
                                                problems: Problem.from(error, labels: Self.operatorLabels), status: .badRequest, for: request)
        }
        return request.redirect(toLocal: "/console/password?done=password")
    }
}
