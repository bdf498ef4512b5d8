import AbuseDeskCore
import Fluent
import Foundation
import Vapor

/// For admins: customer accounts with their domains, netblocks and tokens, and the operators.
extension ConsoleController {
    struct AccountsPage: Encodable {
        struct Row: Encodable {
            var id: String
            var name: String
            var abuseEmail: String?
            var domains: String
            var netblocks: String
            var created: String
        }

        var rows: [Row]
        var draft: [String: String]
    }

    @Sendable
    func accounts(_ request: Request) async throws -> Response {
        try await renderAccounts(request)
    }

    func renderAccounts(_ request: Request, problems: [Problem] = [], draft: [String: String] = [:],
                        status: HTTPResponseStatus = .ok) async throws -> Response {
        _ = try request.signedInOperator(adminOnly: true)
        let accounts = try await AccountModel.query(on: request.db).with(\.$domains).with(\.$netblocks).sort(\.$name).all()
        let rows = accounts.map { account in
            AccountsPage.Row(id: account.id ?? "", name: account.name, abuseEmail: account.abuseEmail,
                             domains: account.domains.map(\.domain).sorted().joined(separator: ", "),
                             netblocks: account.netblocks.map(\.cidr).sorted().joined(separator: ", "), created: ConsoleFormat.time(account.createdAt))
        }
        return try await ConsoleView.render("accounts", title: "Accounts", nav: "accounts", page: AccountsPage(rows: rows, draft: draft),
                                            problems: problems, status: status, for: request)
    }

    /// Creates an account from the form: domains and netblocks one per line.
    @Sendable
    func createAccount(_ request: Request) async throws -> Response {
        let signedIn = try request.signedInOperator(adminOnly: true)
        let form = try Self.form(request)
        var body = JSONObject()
        if let name = form["name"] { body["name"] = name }
        if let email = form["abuse_email"] { body["abuse_email"] = email }
        body["domains"] = .array(Self.lines(form["domains"]).map(JSONValue.string))
        body["netblocks"] = .array(Self.lines(form["netblocks"]).map(JSONValue.string))
        do {
            let new = try AccountAdministration.parseNewAccount(.object(body)).orRefuse(noun: "account")
            let created = try await administration.createAccount(new, by: signedIn.actor, on: request.db)
            return request.redirect(to: "/console/accounts/\(created.id ?? "")?done=created", redirectType: .normal)
        } catch let error as ClientError where error.status == .badRequest || error.status == .conflict {
            var draft: [String: String] = [:]
            for key in ["name", "abuse_email", "domains", "netblocks"] { draft[key] = form[key]?.stringValue ?? "" }
            return try await renderAccounts(request, problems: Problem.from(error, labels: Self.accountLabels), draft: draft, status: error.status)
        }
    }

    static let accountLabels = ["name": "Name", "abuse_email": "Abuse contact", "domains": "Domains", "netblocks": "Netblocks",
                                "domain": "Domain", "cidr": "Netblock", "scopes": "Scopes", "name_token": "Token name"]

    struct AccountPage: Encodable {
        struct Item: Encodable {
            var id: String
            var value: String
        }

        struct Token: Encodable {
            var id: String
            var name: String?
            var scopes: String
            var created: String
            var lastUsed: String?
            var revoked: String?
        }

        var id: String
        var name: String
        var abuseEmail: String?
        var domains: [Item]
        var netblocks: [Item]
        var tokens: [Token]
        var newSecret: String?
        var reportsURL: String
    }

    @Sendable
    func account(_ request: Request) async throws -> Response {
        let notice = request.query["done"].flatMap { ["created": "The account is created.", "changed": "The change is saved; routing follows at once."][$0] }
        return try await renderAccount(request, notice: notice)
    }

    func renderAccount(_ request: Request, notice: String? = nil, newSecret: String? = nil, problems: [Problem] = [],
                       status: HTTPResponseStatus = .ok) async throws -> Response {
        _ = try request.signedInOperator(adminOnly: true)
        let id = request.parameters.get("account_id") ?? ""
        let account = try await administration.account(id, on: request.db)
        let tokens = try await administration.tokens(of: id, on: request.db)
        let page = AccountPage(
            id: id, name: account.name, abuseEmail: account.abuseEmail,
            domains: (account.$domains.value ?? []).sorted { $0.domain < $1.domain }.map { AccountPage.Item(id: $0.id ?? "", value: $0.domain) },
            netblocks: (account.$netblocks.value ?? []).sorted { $0.cidr < $1.cidr }.map { AccountPage.Item(id: $0.id ?? "", value: $0.cidr) },
            tokens: tokens.map { token in
                AccountPage.Token(id: token.id ?? "", name: token.name, scopes: token.scopes, created: ConsoleFormat.time(token.createdAt),
                                  lastUsed: token.lastUsedAt.map(ConsoleFormat.time), revoked: token.revokedAt.map(ConsoleFormat.time))
            },
            newSecret: newSecret, reportsURL: "/console/reports?account_id=\(id)")
        return try await ConsoleView.render("account", title: account.name, nav: "accounts", page: page, notice: notice, problems: problems,
                                            status: status, for: request)
    }

    /// `POST /console/accounts/{id}/{domains|netblocks|tokens}[/{item_id}/remove]`: add or remove a
    /// domain or netblock, create or revoke a token.
    @Sendable
    func accountAction(_ request: Request) async throws -> Response {
        let signedIn = try request.signedInOperator(adminOnly: true)
        let id = request.parameters.get("account_id") ?? ""
        let action = request.parameters.get("action") ?? ""
        let item = request.parameters.get("item_id")
        let form = try Self.form(request, arrays: ["scopes"])
        do {
            switch (action, item) {
            case ("domains", nil):
                var check = FieldChecker()
                let domain = check.required(form, "domain", "a domain name such as example.com")
                    .flatMap { AccountAdministration.parseDomain($0, path: "domain", check: &check) }
                guard let domain else { throw ClientError.validation(ValidationFailure(check.problems)) }
                _ = try await administration.addDomain(domain, to: id, by: signedIn.actor, on: request.db)
            case ("netblocks", nil):
                var check = FieldChecker()
                let netblock = check.required(form, "cidr", "a CIDR block such as 203.0.113.0/24")
                    .flatMap { AccountAdministration.parseNetblock($0, path: "cidr", check: &check) }
                guard let netblock else { throw ClientError.validation(ValidationFailure(check.problems)) }
                _ = try await administration.addNetblock(netblock, to: id, by: signedIn.actor, on: request.db)
            case ("domains", let domainID?):
                try await administration.removeDomain(domainID, from: id, by: signedIn.actor, on: request.db)
            case ("netblocks", let netblockID?):
                try await administration.removeNetblock(netblockID, from: id, by: signedIn.actor, on: request.db)
            case ("tokens", nil):
                let scopes = (form["scopes"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(TokenScope.init(rawValue:)) }
                let name = form["name"]?.stringValue
                let (_, secret) = try await administration.createToken(for: id, scopes: scopes.isEmpty ? [.read] : scopes, name: name,
                                                                       by: signedIn.actor, on: request.db)
                // The secret is shown this once, on this answer, never stored or redirected with.
                return try await renderAccount(request, notice: "The token is created. Copy it now: it is not shown again.", newSecret: secret)
            case ("tokens", let tokenID?):
                _ = try await administration.revokeToken(tokenID, of: id, by: signedIn.actor, on: request.db)
            default:
                throw ClientError.notFound("There is no such action for accounts.")
            }
        } catch let error as ClientError where error.status == .badRequest || error.status == .conflict {
            return try await renderAccount(request, problems: Problem.from(error, labels: Self.accountLabels), status: error.status)
        }
        return request.redirect(to: "/console/accounts/\(id)?done=changed", redirectType: .normal)
    }

    struct OperatorsPage: Encodable {
        struct Row: Encodable {
            var id: String
            var email: String
            var role: String
            var created: String
        }

        var rows: [Row]
        var roles: [Option]
        var draftEmail: String
    }

    @Sendable
    func operators(_ request: Request) async throws -> Response {
        try await renderOperators(request, notice: request.query["done"] == "created" ? "The operator is created and can sign in now." : nil)
    }

    func renderOperators(_ request: Request, notice: String? = nil, problems: [Problem] = [], draft: JSONObject = [:],
                         status: HTTPResponseStatus = .ok) async throws -> Response {
        _ = try request.signedInOperator(adminOnly: true)
        let rows = try await OperatorModel.query(on: request.db).sort(\.$email).all().map {
            OperatorsPage.Row(id: $0.id ?? "", email: $0.email, role: $0.role, created: ConsoleFormat.time($0.createdAt))
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
            _ = try await administration.createOperator(email: form["email"]?.stringValue ?? "", role: role,
                                                        password: form["password"]?.stringValue ?? "", by: signedIn.actor, on: request.db)
        } catch let error as ClientError where error.status == .badRequest || error.status == .conflict {
            return try await renderOperators(request, problems: Problem.from(error, labels: ["email": "E-mail address", "password": "Password"]),
                                             draft: form, status: error.status)
        }
        return request.redirect(to: "/console/operators?done=created", redirectType: .normal)
    }

    /// The non-blank lines of a text area.
    static func lines(_ value: JSONValue?) -> [String] {
        (value?.stringValue ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
