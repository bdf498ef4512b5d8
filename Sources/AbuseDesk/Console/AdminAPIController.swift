import AbuseDeskCore
import Fluent
import Foundation
import Vapor

/// `/admin/v1`: what operators script with their token. Admins manage accounts, their domains,
/// netblocks and tokens, and operators (AdminAPIController+Operators.swift); every operator works the queue (AdminAPIController+Reports.swift),
/// decides reports, applies and cancels mitigations and answers appeals (AdminAPIController+Appeals.swift).
struct AdminAPIController: RouteCollection {
    let administration: AccountAdministration
    let operators: OperatorAdministration
    let decisions: ReportDecisions
    let mitigations: Mitigations
    let attachments: AttachmentStore
    let taxonomy: Taxonomy
    let authentication: BearerAuthentication
    let now: @Sendable () -> Date

    func boot(routes: any RoutesBuilder) throws {
        let admin = routes.grouped("admin", "v1").grouped(inTask: authentication)
        let accounts = admin.grouped("accounts")
        accounts.get(use: listAccounts)
        accounts.post(use: createAccount)
        let account = accounts.grouped(":account_id")
        account.get(use: showAccount)
        account.patch(use: updateAccount)
        account.post("close", use: closeAccount)
        account.post("domains", use: addDomain)
        account.delete("domains", ":domain_id", use: removeDomain)
        account.post("netblocks", use: addNetblock)
        account.delete("netblocks", ":netblock_id", use: removeNetblock)
        account.get("tokens", use: listTokens)
        account.post("tokens", use: createToken)
        account.delete("tokens", ":token_id", use: revokeToken)

        let operators = admin.grouped("operators")
        operators.get(use: listOperators)
        operators.post(use: createOperator)
        let member = operators.grouped(":operator_id")
        member.get(use: showOperator)
        member.patch(use: changeOperator)
        member.post("disable", use: disableOperator)
        member.post("enable", use: enableOperator)
        member.get("tokens", use: listOperatorTokens)
        member.delete("tokens", ":token_id", use: revokeOperatorToken)

        admin.get("reports", use: listReports)
        admin.post("reports", "bulk", use: bulk)
        let report = admin.grouped("reports", ":report_id")
        report.get(use: showReport)
        report.post("assign", use: assign)
        report.post("route", use: route)
        report.post("forward", use: forward)
        report.post("accept", use: accept)
        report.post("deny", use: deny)
        report.post("close", use: close)
        report.post("mitigations", use: applyMitigation)
        admin.post("mitigations", ":mitigation_id", "cancel", use: cancelMitigation)
        admin.get("appeals", use: listAppeals)
        admin.post("appeals", ":appeal_id", "decision", use: decideAppeal)
        admin.get("attachments", ":attachment_id", use: downloadAttachment)
        admin.get("emails", use: listEmails)
        admin.post("emails", ":email_id", "retry", use: retryEmail)
    }

    // MARK: Accounts

    @Sendable
    func listAccounts(_ request: Request) async throws -> Response {
        try request.authorizeOperator(adminOnly: true)
        var query = QueryParameters(request.url.query)
        query.rejectUnknown(allowed: ["page", "per_page"])
        let page = query.page()
        try query.check()
        let all = AccountModel.query(on: request.db)
        let total = try await all.copy().count()
        let accounts = try await all.with(\.$domains).with(\.$netblocks).sort(\.$createdAt).sort(\.$id).range(page.rows).all()
        return Envelope.success(.array(accounts.map(AdminRepresentation.account)),
                                page: page, count: accounts.count, total: total)
    }

    @Sendable
    func createAccount(_ request: Request) async throws -> Response {
        let actor = try request.authorizeOperator(adminOnly: true)
        let new = try await administration.readNewAccount(try request.jsonBody(), on: request.db)
        let created = try await administration.createAccount(new, by: actor, on: request.db)
        return Envelope.success(AdminRepresentation.account(try await administration.account(created.id ?? "", on: request.db)))
    }

    /// `PATCH /accounts/{id}` with `{name?, abuse_email?}`: rename, or change (or with null remove) the abuse contact.
    @Sendable
    func updateAccount(_ request: Request) async throws -> Response {
        let actor = try request.authorizeOperator(adminOnly: true)
        let change = try Self.read(request, allowed: ["name", "abuse_email"], noun: "change", AccountAdministration.parseAccountChange)
        let id = request.parameters.get("account_id") ?? ""
        _ = try await administration.updateAccount(id, change, by: actor, on: request.db)
        return Envelope.success(AdminRepresentation.account(try await administration.account(id, on: request.db)))
    }

    /// `POST /accounts/{id}/close`: its reports stay; its domains, netblocks and tokens go.
    @Sendable
    func closeAccount(_ request: Request) async throws -> Response {
        let actor = try request.authorizeOperator(adminOnly: true)
        _ = try Self.object(request, allowed: [], emptyAllowed: true)
        let id = request.parameters.get("account_id") ?? ""
        _ = try await administration.closeAccount(id, by: actor, on: request.db)
        return Envelope.success(AdminRepresentation.account(try await administration.account(id, on: request.db)))
    }

    @Sendable
    func showAccount(_ request: Request) async throws -> Response {
        try request.authorizeOperator(adminOnly: true)
        return Envelope.success(AdminRepresentation.account(try await administration.account(request.parameters.get("account_id") ?? "", on: request.db)))
    }

    @Sendable
    func addDomain(_ request: Request) async throws -> Response {
        let actor = try request.authorizeOperator(adminOnly: true)
        let object = try Self.object(request, allowed: ["domain"])
        var check = FieldChecker()
        let domain = check.required(object, "domain", "a domain name such as example.com")
            .flatMap { AccountAdministration.parseDomain($0, path: "domain", check: &check) }
        guard let domain else { throw ClientError.validation(ValidationFailure(check.problems), noun: "request") }
        let row = try await administration.addDomain(domain, to: request.parameters.get("account_id") ?? "", by: actor, on: request.db)
        return Envelope.success(AdminRepresentation.domain(row))
    }

    @Sendable
    func removeDomain(_ request: Request) async throws -> Response {
        let actor = try request.authorizeOperator(adminOnly: true)
        let id = request.parameters.get("domain_id") ?? ""
        try await administration.removeDomain(id, from: request.parameters.get("account_id") ?? "", by: actor, on: request.db)
        return Envelope.success(["id": .string(id)])
    }

    @Sendable
    func addNetblock(_ request: Request) async throws -> Response {
        let actor = try request.authorizeOperator(adminOnly: true)
        let object = try Self.object(request, allowed: ["cidr"])
        var check = FieldChecker()
        let netblock = check.required(object, "cidr", "a CIDR block such as 203.0.113.0/24")
            .flatMap { AccountAdministration.parseNetblock($0, path: "cidr", check: &check) }
        guard let netblock else { throw ClientError.validation(ValidationFailure(check.problems), noun: "request") }
        let row = try await administration.addNetblock(netblock, to: request.parameters.get("account_id") ?? "", by: actor, on: request.db)
        return Envelope.success(AdminRepresentation.netblock(row))
    }

    @Sendable
    func removeNetblock(_ request: Request) async throws -> Response {
        let actor = try request.authorizeOperator(adminOnly: true)
        let id = request.parameters.get("netblock_id") ?? ""
        try await administration.removeNetblock(id, from: request.parameters.get("account_id") ?? "", by: actor, on: request.db)
        return Envelope.success(["id": .string(id)])
    }

    // MARK: Tokens

    @Sendable
    func listTokens(_ request: Request) async throws -> Response {
        try request.authorizeOperator(adminOnly: true)
        let tokens = try await administration.tokens(of: request.parameters.get("account_id") ?? "", on: request.db)
        return Envelope.success(.array(tokens.map { AdminRepresentation.token($0) }))
    }

    @Sendable
    func createToken(_ request: Request) async throws -> Response {
        let actor = try request.authorizeOperator(adminOnly: true)
        let object = try Self.object(request, allowed: ["scopes", "name"], emptyAllowed: true)
        var check = FieldChecker()
        var scopes: [TokenScope] = []
        for (index, item) in check.list(object, "scopes", maximum: 2).enumerated() {
            guard let text = item.stringValue, let scope = TokenScope(rawValue: text) else {
                check.problem("scopes[\(index)]", .notAllowed, "Must be \"read\" or \"edit\"; got \(item.serialized()).")
                continue
            }
            scopes.append(scope)
        }
        let name = check.string(object, "name", length: 1...100)
        guard check.problems.isEmpty else { throw ClientError.validation(ValidationFailure(check.problems), noun: "token") }
        let (token, secret) = try await administration.createToken(for: request.parameters.get("account_id") ?? "",
                                                                   scopes: scopes.isEmpty ? [.read] : scopes, name: name, by: actor, on: request.db)
        return Envelope.success(AdminRepresentation.token(token, secret: secret))
    }

    @Sendable
    func revokeToken(_ request: Request) async throws -> Response {
        let actor = try request.authorizeOperator(adminOnly: true)
        let token = try await administration.revokeToken(request.parameters.get("token_id") ?? "",
                                                         of: request.parameters.get("account_id") ?? "", by: actor, on: request.db)
        return Envelope.success(AdminRepresentation.token(token))
    }

    // MARK: Reports

    @Sendable
    func accept(_ request: Request) async throws -> Response {
        let actor = try request.authorizeOperator(adminOnly: false)
        _ = try Self.object(request, allowed: [], emptyAllowed: true)
        let report = try await decisions.decide(.accept, reportID: request.parameters.get("report_id") ?? "", by: actor, on: request.db)
        return Envelope.success(AdminRepresentation.decision(report))
    }

    @Sendable
    func deny(_ request: Request) async throws -> Response {
        let actor = try request.authorizeOperator(adminOnly: false)
        let reason = try Self.read(request, allowed: ["reason"], OperatorRequests.denial)
        let report = try await decisions.decide(.deny(reason), reportID: request.parameters.get("report_id") ?? "", by: actor, on: request.db)
        return Envelope.success(AdminRepresentation.decision(report))
    }

    @Sendable
    func close(_ request: Request) async throws -> Response {
        let actor = try request.authorizeOperator(adminOnly: false)
        _ = try Self.object(request, allowed: [], emptyAllowed: true)
        let report = try await decisions.close(request.parameters.get("report_id") ?? "", by: actor, on: request.db)
        return Envelope.success(AdminRepresentation.decision(report))
    }

    @Sendable
    func applyMitigation(_ request: Request) async throws -> Response {
        let actor = try request.authorizeOperator(adminOnly: false)
        switch MitigationOrder.parse(try request.jsonBody(), now: now()) {
        case .failure(let failure):
            throw ClientError.validation(failure, noun: "mitigation")
        case .success(let order):
            let mitigation = try await mitigations.apply(order, to: request.parameters.get("report_id") ?? "", by: actor, on: request.db)
            return Envelope.success(AdminRepresentation.mitigation(mitigation))
        }
    }

    /// The JSON object of the body with only `allowed` properties (an empty body counts as `{}` when allowed).
    static func object(_ request: Request, allowed: [String], emptyAllowed: Bool = false) throws -> JSONObject {
        try read(request, allowed: allowed, emptyAllowed: emptyAllowed) { .success($0) }
    }
}

extension AdminAPIController {
    /// Reads the body with `parser`, refusing properties outside `allowed` in the same answer as the
    /// parser's own problems.
    static func read<Value>(_ request: Request, allowed: [String], emptyAllowed: Bool = false, noun: String = "request",
                            _ parser: (JSONObject) -> Result<Value, ValidationFailure>) throws -> Value {
        let object: JSONObject
        if emptyAllowed, (request.body.data?.readableBytes ?? 0) == 0 {
            object = JSONObject()
        } else {
            guard case .object(let body) = try request.jsonBody() else {
                throw ClientError(status: .badRequest, code: "ValidationFailed", message: "The body must be a JSON object.")
            }
            object = body
        }
        var check = FieldChecker()
        check.rejectUnknown(in: object, allowed: allowed, removed: [:], path: "")
        switch parser(object) {
        case .success(let value) where check.problems.isEmpty:
            return value
        case .success:
            throw ClientError.validation(ValidationFailure(check.problems), noun: noun)
        case .failure(let failure):
            throw ClientError.validation(ValidationFailure(check.problems + failure.problems), noun: noun)
        }
    }
}
