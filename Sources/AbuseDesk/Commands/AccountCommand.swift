import AbuseDeskCore
import Vapor

/// `abusedesk account create|update|close ...`
struct AccountCommand: AdministrationCommand {
    let help = "Creates, renames and closes customer accounts (with the domains and netblocks they serve); prints the account as JSON."
    let verbs = [(name: "create", usage: "account create --name NAME [--domain D]... [--netblock CIDR]... [--abuse-email E]"),
                 (name: "update", usage: "account update --id ID [--name NAME] [--abuse-email E]   (--abuse-email \"\" removes the contact)"),
                 (name: "close", usage: "account close --id ID   (its reports stay; its domains, netblocks and tokens go)")]

    func run(verb: String, arguments: [String], application: Application) async throws -> JSONValue {
        let administration = application.abuseDesk.administration
        let database = application.db
        switch verb {
        case "create":
            let options = try CommandArguments(arguments, allowed: ["name", "domain", "netblock", "abuse-email"])
            // The same validation as POST /admin/v1/accounts, fed with the options.
            var body: JSONObject = ["domains": .array(options.all("domain").map(JSONValue.string)),
                                    "netblocks": .array(options.all("netblock").map(JSONValue.string))]
            if let name = try options.single("name") { body["name"] = .string(name) }
            if let email = try options.single("abuse-email") { body["abuse_email"] = .string(email) }
            let account = try await administration.readNewAccount(.object(body), on: database)
            let created = try await administration.createAccount(account, by: .commandLine, on: database)
            return AdminRepresentation.account(try await administration.account(created.id ?? "", on: database))
        case "update":
            let options = try CommandArguments(arguments, allowed: ["id", "name", "abuse-email"])
            guard let id = try options.single("id") else { throw CommandFailure("--id: Required: the id of the account.") }
            var body = JSONObject()
            if let name = try options.single("name") { body["name"] = .string(name) }
            if let email = try options.single("abuse-email") { body["abuse_email"] = .string(email) }
            let change = try AccountAdministration.parseAccountChange(body).orRefuse(noun: "change")
            _ = try await administration.updateAccount(id, change, by: .commandLine, on: database)
            return AdminRepresentation.account(try await administration.account(id, on: database))
        default:
            let options = try CommandArguments(arguments, allowed: ["id"])
            guard let id = try options.single("id") else { throw CommandFailure("--id: Required: the id of the account.") }
            _ = try await administration.closeAccount(id, by: .commandLine, on: database)
            return AdminRepresentation.account(try await administration.account(id, on: database))
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

/// `abusedesk operator create|token|disable|enable|password --email E ...`: the team, from the command line.
struct OperatorCommand: AdministrationCommand {
    let help = "Manages the operators of the trust and safety team: creates them (the password is read from standard input), gives them admin-API tokens, changes passwords, disables and enables them."
    let verbs = [(name: "create", usage: "operator create --email E [--role admin|analyst]   (password on standard input)"),
                 (name: "token", usage: "operator token --email E [--expires-in DAYS]   (default \(OperatorAdministration.defaultTokenDays) days)"),
                 (name: "password", usage: "operator password --email E   (the new password on standard input; their sessions end)"),
                 (name: "disable", usage: "operator disable --email E   (sessions and tokens refused at once)"),
                 (name: "enable", usage: "operator enable --email E")]

    func run(verb: String, arguments: [String], application: Application) async throws -> JSONValue {
        let operators = application.abuseDesk.operators
        let database = application.db
        let allowed = switch verb {
        case "create": ["email", "role"]
        case "token": ["email", "expires-in"]
        default: ["email"]
        }
        let options = try CommandArguments(arguments, allowed: allowed)
        guard let email = try options.single("email") else { throw CommandFailure("--email: Required: the operator's e-mail address.") }
        switch verb {
        case "create":
            let roleText = try options.single("role") ?? OperatorRole.analyst.rawValue
            guard let role = OperatorRole(rawValue: roleText) else {
                throw CommandFailure("--role: Must be \"admin\" or \"analyst\"; got \"\(roleText)\".")
            }
            let created = try await operators.createOperator(email: email, role: role, password: try Self.password(for: email, verb: verb),
                                                             by: .commandLine, on: database)
            return AdminRepresentation.operatorAccount(created)
        case "token":
            let daysText = try options.single("expires-in") ?? String(OperatorAdministration.defaultTokenDays)
            guard let days = Int(daysText), (1...OperatorAdministration.maximumTokenDays).contains(days) else {
                throw CommandFailure("--expires-in: Must be a number of days from 1 to \(OperatorAdministration.maximumTokenDays); got \"\(daysText)\".")
            }
            let target = try await operators.find(email: email, on: database)
            let (token, secret) = try await operators.createToken(for: target, days: days, by: .commandLine, on: database)
            return ["id": .string(token.id ?? ""), "token": .string(secret), "expires_at": .time(token.expiresAt)]
        case "password":
            let target = try await operators.find(email: email, on: database)
            let changed = try await operators.setPassword(target.id ?? "", to: try Self.password(for: email, verb: verb), by: .commandLine, on: database)
            return AdminRepresentation.operatorAccount(changed)
        case "disable":
            let target = try await operators.find(email: email, on: database)
            return AdminRepresentation.operatorAccount(try await operators.disable(target.id ?? "", by: .commandLine, on: database))
        default:
            let target = try await operators.find(email: email, on: database)
            return AdminRepresentation.operatorAccount(try await operators.enable(target.id ?? "", by: .commandLine, on: database))
        }
    }

    /// The password on standard input (its first line).
    private static func password(for email: String, verb: String) throws -> String {
        guard let password = readLine(strippingNewline: true), !password.isEmpty else {
            throw CommandFailure("Give the password on standard input, e.g. printf '%s\\n' \"$PASSWORD\" | abusedesk operator \(verb) --email \(email)")
        }
        return password
    }
}
