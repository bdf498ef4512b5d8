import AbuseDeskCore
import Vapor

/// `abusedesk account create --name NAME [--domain D]... [--netblock CIDR]... [--abuse-email E]`
struct AccountCommand: AdministrationCommand {
    let help = "Creates a customer account with the domains and netblocks it serves; prints it as JSON."
    let verbs = [(name: "create", usage: "account create --name NAME [--domain D]... [--netblock CIDR]... [--abuse-email E]")]

    func run(verb: String, arguments: [String], application: Application) async throws -> JSONValue {
        let options = try CommandArguments(arguments, allowed: ["name", "domain", "netblock", "abuse-email"])
        // The same validation as POST /admin/v1/accounts, fed with the options.
        var body: JSONObject = ["domains": .array(options.all("domain").map(JSONValue.string)),
                                "netblocks": .array(options.all("netblock").map(JSONValue.string))]
        if let name = try options.single("name") { body["name"] = .string(name) }
        if let email = try options.single("abuse-email") { body["abuse_email"] = .string(email) }
        switch AccountAdministration.parseNewAccount(.object(body)) {
        case .failure(let failure):
            throw CommandFailure(ClientError.validation(failure, noun: "account"))
        case .success(let account):
            let created = try await application.abuseDesk.administration.createAccount(account, by: .commandLine, on: application.db)
            return AdminRepresentation.account(try await application.abuseDesk.administration.account(created.id ?? "", on: application.db))
        }
    }
}

/// `abusedesk token create --account ID [--scope read|edit]... [--name NAME]`
struct TokenCommand: AdministrationCommand {
    let help = "Creates a token of a customer account for the Accounts API; prints its id and the token, shown this once."
    let verbs = [(name: "create", usage: "token create --account ID [--scope read|edit]... [--name NAME]")]

    func run(verb: String, arguments: [String], application: Application) async throws -> JSONValue {
        let options = try CommandArguments(arguments, allowed: ["account", "scope", "name"])
        guard let account = try options.single("account") else { throw CommandFailure("--account: Required: the id of the account.") }
        var scopes: [TokenScope] = []
        for text in options.all("scope") {
            guard let scope = TokenScope(rawValue: text) else {
                throw CommandFailure("--scope: Must be \"read\" or \"edit\"; got \"\(text)\".")
            }
            scopes.append(scope)
        }
        let (token, secret) = try await application.abuseDesk.administration.createToken(
            for: account, scopes: scopes.isEmpty ? [.read] : scopes, name: try options.single("name"), by: .commandLine, on: application.db)
        return AdminRepresentation.token(token, secret: secret)
    }
}

/// `abusedesk operator create --email E [--role admin|analyst]` (password on standard input) and
/// `abusedesk operator token --email E`.
struct OperatorCommand: AdministrationCommand {
    let help = "Creates operators of the trust and safety team (the password is read from standard input) and their admin-API tokens."
    let verbs = [(name: "create", usage: "operator create --email E [--role admin|analyst]   (password on standard input)"),
                 (name: "token", usage: "operator token --email E")]

    func run(verb: String, arguments: [String], application: Application) async throws -> JSONValue {
        let administration = application.abuseDesk.administration
        switch verb {
        case "create":
            let options = try CommandArguments(arguments, allowed: ["email", "role"])
            guard let email = try options.single("email") else { throw CommandFailure("--email: Required: the operator's e-mail address.") }
            let roleText = try options.single("role") ?? OperatorRole.analyst.rawValue
            guard let role = OperatorRole(rawValue: roleText) else {
                throw CommandFailure("--role: Must be \"admin\" or \"analyst\"; got \"\(roleText)\".")
            }
            guard let password = readLine(strippingNewline: true) else {
                throw CommandFailure("Give the operator's password on standard input, e.g. printf '%s\\n' \"$PASSWORD\" | abusedesk operator create --email \(email)")
            }
            let created = try await administration.createOperator(email: email, role: role, password: password, by: .commandLine, on: application.db)
            return ["id": .string(created.id ?? ""), "email": .string(created.email), "role": .string(created.role)]
        default:
            let options = try CommandArguments(arguments, allowed: ["email"])
            guard let email = try options.single("email") else { throw CommandFailure("--email: Required: the operator's e-mail address.") }
            let (token, secret) = try await administration.createOperatorToken(email: email, by: .commandLine, on: application.db)
            return ["id": .string(token.id ?? ""), "token": .string(secret)]
        }
    }
}
