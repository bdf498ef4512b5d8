import AbuseDeskCore
import Fluent
import Foundation
import Vapor

/// For admins: customer accounts with their domains, netblocks and tokens.
extension ConsoleController {
    struct AccountsPage: Encodable {
        struct Row: Encodable {
            var id: String
            var name: String
            var abuseEmail: String?
            var domains: String
            var netblocks: String
            var created: String
            var closed: String?
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
                             netblocks: account.netblocks.map(\.cidr).sorted().joined(separator: ", "), created: ConsoleFormat.time(account.createdAt),
                             closed: account.closedAt.map(ConsoleFormat.time))
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
            let new = try await administration.readNewAccount(.object(body), on: request.db)
            let created = try await administration.createAccount(new, by: signedIn.actor, on: request.db)
            return request.redirect(toLocal: "/console/accounts/\(created.id ?? "")?done=created")
        } catch let error as ClientError where error.status == .badRequest || error.status == .conflict {
            var draft: [String: String] = [:]
            for key in ["name", "abuse_email", "domains", "netblocks"] { draft[key] = form[key]?.stringValue ?? "" }
            return try await renderAccounts(request, problems: Problem.from(error, labels: Self.accountLabels, lines: ["domains", "netblocks"]),
                                            draft: draft, status: error.status)
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
        var closed: String?
    }

    @Sendable
    func account(_ request: Request) async throws -> Response {
        let notice = request.query["done"].flatMap {
            ["created": "The account is created.", "changed": "The change is saved; routing follows at once.",
             "closed": "The account is closed: it routes nothing more, and its tokens are revoked."][$0]
        }
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
            newSecret: newSecret, reportsURL: "/console/reports?account_id=\(id)", closed: account.closedAt.map(ConsoleFormat.time))
        return try await ConsoleView.render("account", title: account.name, nav: "accounts", page: page, notice: notice, problems: problems,
                                            status: status, for: request)
    }

    /// `POST /console/accounts/{id}/{update|close|domains|netblocks|tokens}[/{item_id}]`: rename or change
    /// the abuse contact, close the account, add or remove a domain or netblock, create or revoke a
    /// token. Closing, removing and revoking ask for confirmation first.
    @Sendable
    func accountAction(_ request: Request) async throws -> Response {
        let signedIn = try request.signedInOperator(adminOnly: true)
        let id = request.parameters.get("account_id") ?? ""
        let action = request.parameters.get("action") ?? ""
        let item = request.parameters.get("item_id")
        let form = try Self.form(request, arrays: ["scopes"])
        if let question = try await accountConfirmation(action: action, item: item, accountID: id, request: request) {
            return question
        }
        var done = "changed"
        do {
            switch (action, item) {
            case ("update", nil):
                var fields = JSONObject()
                fields["name"] = form["name"] ?? .string("")
                fields["abuse_email"] = form["abuse_email"] ?? .null
                let change = try AccountAdministration.parseAccountChange(fields).orRefuse(noun: "change")
                _ = try await administration.updateAccount(id, change, by: signedIn.actor, on: request.db)
            case ("close", nil):
                _ = try await administration.closeAccount(id, by: signedIn.actor, on: request.db)
                done = "closed"
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
        return request.redirect(toLocal: "/console/accounts/\(id)?done=\(done)")
    }

    /// The question to ask before a destructive account action, unless it is confirmed already.
    private func accountConfirmation(action: String, item: String?, accountID: String, request: Request) async throws -> Response? {
        guard !ConsoleConfirmation.isConfirmed(request) else { return nil }
        let account = try await administration.account(accountID, on: request.db)
        let back = "/console/accounts/\(accountID)"
        switch (action, item) {
        case ("close", nil):
            return try await ConsoleConfirmation.ask(
                request, question: "Close the account \(account.name)?",
                consequence: "Its \(account.domains.count) domain(s) and \(account.netblocks.count) netblock(s) are freed and route nothing more, and its tokens are revoked at once. Its reports and their mitigations stay. A closed account cannot be opened again.",
                button: "Close the account", cancelURL: back)
        case ("domains", let domainID?):
            let domain = account.domains.first { $0.id == domainID }?.domain ?? domainID
            return try await ConsoleConfirmation.ask(
                request, question: "Remove \(domain) from \(account.name)?",
                consequence: "Reports about \(domain) and its subdomains are no longer routed to this account from now on; those routed already stay.",
                button: "Remove the domain", cancelURL: back)
        case ("netblocks", let netblockID?):
            let cidr = account.netblocks.first { $0.id == netblockID }?.cidr ?? netblockID
            return try await ConsoleConfirmation.ask(
                request, question: "Remove \(cidr) from \(account.name)?",
                consequence: "Reports about addresses in \(cidr) are no longer routed to this account from now on; those routed already stay.",
                button: "Remove the netblock", cancelURL: back)
        case ("tokens", let tokenID?):
            return try await ConsoleConfirmation.ask(
                request, question: "Revoke the token \(tokenID)?",
                consequence: "Every call made with it is refused from this moment, on every server. This cannot be undone: the customer needs a new token.",
                button: "Revoke the token", cancelURL: back)
        default:
            return nil
        }
    }

    /// The non-blank lines of a text area.
    static func lines(_ value: JSONValue?) -> [String] {
        (value?.stringValue ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
