import AbuseDeskCore
import Fluent
import Foundation
import Vapor

/// Customer accounts with their domains and netblocks, their tokens, and operators with theirs: what the
/// command line and the admin API both do. Routing is reloaded after every change of domains or netblocks.
struct AccountAdministration: Sendable {
    let directory: AccountDirectory
    let now: @Sendable () -> Date

    /// A new account, validated.
    struct NewAccount: Sendable {
        var name: String
        var abuseEmail: String?
        var domains: [HostName]
        var netblocks: [Netblock]
    }

    /// Reads `{name, abuse_email?, domains?: [...], netblocks?: [...]}`, naming every problem.
    static func parseNewAccount(_ body: JSONValue) -> Result<NewAccount, ValidationFailure> {
        var check = FieldChecker()
        guard case .object(let object) = body else {
            check.problem("", .type, "The body must be a JSON object {name, abuse_email?, domains?, netblocks?}; got \(body.typeName).")
            return .failure(ValidationFailure(check.problems))
        }
        check.rejectUnknown(in: object, allowed: ["name", "abuse_email", "domains", "netblocks"], removed: [:], path: "")
        let name = check.string(object, "name", required: "the customer's name", length: 1...200)
        let email = check.email(object, "abuse_email", required: false)
        var domains: [HostName] = []
        for (index, item) in check.list(object, "domains", maximum: 1000).enumerated() {
            if let domain = parseDomain(item, path: "domains[\(index)]", check: &check) {
                if domains.contains(domain) {
                    check.problem("domains[\(index)]", .duplicate, "\(quoted(domain.value)) is listed twice.")
                } else {
                    domains.append(domain)
                }
            }
        }
        var netblocks: [Netblock] = []
        for (index, item) in check.list(object, "netblocks", maximum: 1000).enumerated() {
            if let netblock = parseNetblock(item, path: "netblocks[\(index)]", check: &check) {
                if netblocks.contains(netblock) {
                    check.problem("netblocks[\(index)]", .duplicate, "\(quoted(netblock.description)) is listed twice.")
                } else {
                    netblocks.append(netblock)
                }
            }
        }
        guard check.problems.isEmpty, let name else { return .failure(ValidationFailure(check.problems)) }
        return .success(NewAccount(name: name, abuseEmail: email?.value, domains: domains, netblocks: netblocks))
    }

    static func parseDomain(_ value: JSONValue, path: String, check: inout FieldChecker) -> HostName? {
        guard let text = value.stringValue else {
            check.problem(path, .type, "Must be a domain name as a string; got \(value.typeName).")
            return nil
        }
        guard let domain = HostName(text.trimmingWhitespace()) else {
            check.problem(path, .format, "Must be a fully qualified domain name such as example.com; got \(quoted(text)).")
            return nil
        }
        return domain
    }

    static func parseNetblock(_ value: JSONValue, path: String, check: inout FieldChecker) -> Netblock? {
        guard let text = value.stringValue else {
            check.problem(path, .type, "Must be a CIDR block as a string; got \(value.typeName).")
            return nil
        }
        let trimmed = text.trimmingWhitespace()
        guard let netblock = Netblock(trimmed) else {
            let hint = Netblock(trimmed, strict: false).map { "; the block that holds it is \($0)" } ?? ""
            check.problem(path, .format, "Must be a CIDR block such as 203.0.113.0/24 or 2001:db8::/32, with no bits set after the prefix; got \(quoted(text))\(hint).")
            return nil
        }
        return netblock
    }

    // MARK: Accounts

    func createAccount(_ new: NewAccount, by actor: AuditActor, on database: any Database) async throws -> AccountModel {
        try await changeRouting(by: actor, on: database) { database, now in
            try await checkFree(domains: new.domains, netblocks: new.netblocks, paths: ("domains", "netblocks"), on: database)
            let account = AccountModel()
            account.id = Identifier.make(at: now)
            account.name = new.name
            account.abuseEmail = new.abuseEmail
            account.createdAt = now
            try await account.create(on: database)
            for domain in new.domains { try await addDomainRow(domain, to: account.id ?? "", now: now, on: database) }
            for netblock in new.netblocks { try await addNetblockRow(netblock, to: account.id ?? "", now: now, on: database) }
            let state: JSONValue = ["name": .string(new.name), "abuse_email": .optional(new.abuseEmail),
                                    "domains": .array(new.domains.map { .string($0.value) }),
                                    "netblocks": .array(new.netblocks.map { .string($0.description) })]
            return (account, AuditChange(subject: .account, subjectID: account.id ?? "", action: "account.created", after: state))
        }
    }

    /// The account with its domains and netblocks, as the admin API shows it.
    func account(_ id: String, on database: any Database) async throws -> AccountModel {
        guard Identifier.isWellFormed(id), let account = try await AccountModel.query(on: database).filter(\.$id == id)
            .with(\.$domains).with(\.$netblocks).first() else {
            throw Self.noAccount(id)
        }
        return account
    }

    /// 404 unless the account exists; one look-up, without its domains and netblocks.
    private func requireAccount(_ id: String, on database: any Database) async throws {
        guard Identifier.isWellFormed(id), try await AccountModel.find(id, on: database) != nil else { throw Self.noAccount(id) }
    }

    private static func noAccount(_ id: String) -> ClientError { ClientError.notFound("There is no account \(id).") }

    func addDomain(_ domain: HostName, to accountID: String, by actor: AuditActor, on database: any Database) async throws -> AccountDomainModel {
        try await changeRouting(by: actor, on: database) { database, now in
            try await requireAccount(accountID, on: database)
            try await checkFree(domains: [domain], netblocks: [], paths: ("domain", "cidr"), on: database)
            let row = try await addDomainRow(domain, to: accountID, now: now, on: database)
            return (row, AuditChange(subject: .account, subjectID: accountID, action: "account.domain_added", after: ["domain": .string(domain.value)]))
        }
    }

    func removeDomain(_ domainID: String, from accountID: String, by actor: AuditActor, on database: any Database) async throws {
        try await changeRouting(by: actor, on: database) { database, _ in
            guard let row = try await AccountDomainModel.query(on: database).filter(\.$id == domainID).filter(\.$account.$id == accountID).first() else {
                throw ClientError.notFound("Account \(accountID) has no domain \(domainID).")
            }
            try await row.delete(on: database)
            return ((), AuditChange(subject: .account, subjectID: accountID, action: "account.domain_removed", before: ["domain": .string(row.domain)]))
        }
    }

    func addNetblock(_ netblock: Netblock, to accountID: String, by actor: AuditActor, on database: any Database) async throws -> AccountNetblockModel {
        try await changeRouting(by: actor, on: database) { database, now in
            try await requireAccount(accountID, on: database)
            try await checkFree(domains: [], netblocks: [netblock], paths: ("domain", "cidr"), on: database)
            let row = try await addNetblockRow(netblock, to: accountID, now: now, on: database)
            return (row, AuditChange(subject: .account, subjectID: accountID, action: "account.netblock_added",
                                     after: ["cidr": .string(netblock.description)]))
        }
    }

    func removeNetblock(_ netblockID: String, from accountID: String, by actor: AuditActor, on database: any Database) async throws {
        try await changeRouting(by: actor, on: database) { database, _ in
            guard let row = try await AccountNetblockModel.query(on: database).filter(\.$id == netblockID).filter(\.$account.$id == accountID).first() else {
                throw ClientError.notFound("Account \(accountID) has no netblock \(netblockID).")
            }
            try await row.delete(on: database)
            return ((), AuditChange(subject: .account, subjectID: accountID, action: "account.netblock_removed", before: ["cidr": .string(row.cidr)]))
        }
    }

    /// A change of what accounts serve: made with its audit entry in one transaction, then the routing
    /// table reloaded so the next report is routed by it.
    private func changeRouting<T: Sendable>(by actor: AuditActor, on database: any Database,
                                            _ change: @escaping @Sendable (any Database, Date) async throws -> (T, AuditChange)) async throws -> T {
        let now = now()
        let result = try await database.auditedTransaction { database in
            let (result, entry) = try await change(database, now)
            try await AuditLog.append(entry, by: actor, at: now, on: database)
            return result
        }
        try await directory.reload(from: database)
        return result
    }

    /// Refuses domains and netblocks another account already has (each may belong to one account only).
    private func checkFree(domains: [HostName], netblocks: [Netblock], paths: (domain: String, netblock: String),
                           on database: any Database) async throws {
        var problems: [ValidationProblem] = []
        if !domains.isEmpty {
            let taken = try await AccountDomainModel.query(on: database).filter(\.$domain ~~ domains.map(\.value)).all()
            for row in taken {
                let index = domains.firstIndex { $0.value == row.domain } ?? 0
                problems.append(ValidationProblem(path: domains.count == 1 && paths.domain == "domain" ? "domain" : "\(paths.domain)[\(index)]",
                                                  code: .duplicate, message: "\(quoted(row.domain)) already belongs to account \(row.$account.id)."))
            }
        }
        if !netblocks.isEmpty {
            let taken = try await AccountNetblockModel.query(on: database).filter(\.$cidr ~~ netblocks.map(\.description)).all()
            for row in taken {
                let index = netblocks.firstIndex { $0.description == row.cidr } ?? 0
                problems.append(ValidationProblem(path: netblocks.count == 1 && paths.netblock == "cidr" ? "cidr" : "\(paths.netblock)[\(index)]",
                                                  code: .duplicate, message: "\(quoted(row.cidr)) already belongs to account \(row.$account.id)."))
            }
        }
        if !problems.isEmpty {
            throw ClientError.conflict(problems.map(\.message).joined(separator: " "), problems: problems)
        }
    }

    @discardableResult
    private func addDomainRow(_ domain: HostName, to accountID: String, now: Date, on database: any Database) async throws -> AccountDomainModel {
        let row = AccountDomainModel()
        row.id = Identifier.make(at: now)
        row.$account.id = accountID
        row.domain = domain.value
        row.createdAt = now
        try await row.create(on: database)
        return row
    }

    @discardableResult
    private func addNetblockRow(_ netblock: Netblock, to accountID: String, now: Date, on database: any Database) async throws -> AccountNetblockModel {
        let row = AccountNetblockModel()
        row.id = Identifier.make(at: now)
        row.$account.id = accountID
        row.cidr = netblock.description
        row.firstAddress = netblock.address.indexKey
        row.lastAddress = netblock.lastAddress.indexKey
        row.createdAt = now
        try await row.create(on: database)
        return row
    }

    // MARK: Tokens

    /// A new token of the account; the secret is in the answer only.
    func createToken(for accountID: String, scopes: [TokenScope], name: String?, by actor: AuditActor,
                     on database: any Database) async throws -> (APITokenModel, String) {
        try await requireAccount(accountID, on: database)
        let secret = AccessToken()
        let token = APITokenModel()
        token.id = Identifier.make(at: now())
        token.tokenHash = secret.hash
        token.accountID = accountID
        token.scopes = TokenScope.allCases.filter(scopes.contains).map(\.rawValue).joined(separator: " ")
        token.name = name
        token.createdAt = now()
        try await create(token, by: actor, on: database)
        return (token, secret.secret)
    }

    func tokens(of accountID: String, on database: any Database) async throws -> [APITokenModel] {
        try await requireAccount(accountID, on: database)
        return try await APITokenModel.query(on: database).filter(\.$accountID == accountID).sort(\.$createdAt).all()
    }

    func revokeToken(_ tokenID: String, of accountID: String, by actor: AuditActor, on database: any Database) async throws -> APITokenModel {
        let now = now()
        return try await database.auditedTransaction { database in
            guard let token = try await APITokenModel.query(on: database).filter(\.$id == tokenID).filter(\.$accountID == accountID).first() else {
                throw ClientError.notFound("Account \(accountID) has no token \(tokenID).")
            }
            if token.revokedAt == nil {
                token.revokedAt = now
                try await token.save(on: database)
                try await AuditLog.append(AuditChange(subject: .token, subjectID: tokenID, action: "token.revoked", before: ["revoked_at": .null],
                                                      after: ["revoked_at": .string(RFC3339.format(now))]), by: actor, at: now, on: database)
            }
            return token
        }
    }

    /// Stores a new token with its audit entry; the secret is never part of either.
    private func create(_ token: APITokenModel, by actor: AuditActor, on database: any Database) async throws {
        var owner: JSONObject = token.accountID.map { ["account_id": .string($0)] } ?? ["operator_id": .string(token.operatorID ?? "")]
        owner["scopes"] = .string(token.scopes)
        owner["name"] = .optional(token.name)
        let state = owner
        try await database.auditedTransaction { database in
            try await token.create(on: database)
            try await AuditLog.append(AuditChange(subject: .token, subjectID: token.id ?? "", action: "token.created", after: .object(state)),
                                      by: actor, at: token.createdAt, on: database)
        }
    }

    // MARK: Operators

    static let minimumPasswordLength = 12

    func createOperator(email text: String, role: OperatorRole, password: String, by actor: AuditActor,
                        on database: any Database) async throws -> OperatorModel {
        var problems: [ValidationProblem] = []
        let email = EmailAddress(text.trimmingWhitespace())
        if email == nil {
            problems.append(ValidationProblem(path: "email", code: .format, message: "Must be an e-mail address such as name@example.com; got \(quoted(text))."))
        }
        if password.count < Self.minimumPasswordLength {
            problems.append(ValidationProblem(path: "password", code: .length,
                                              message: "Must be at least \(Self.minimumPasswordLength) characters; got \(password.count)."))
        }
        if let email, try await OperatorModel.query(on: database).filter(\.$email == email.value.lowercased()).first() != nil {
            problems.append(ValidationProblem(path: "email", code: .duplicate, message: "An operator with the e-mail address \(email.value) exists already."))
        }
        guard problems.isEmpty, let email else { throw ClientError.validation(ValidationFailure(problems), noun: "operator") }
        let row = OperatorModel()
        row.id = Identifier.make(at: now())
        row.email = email.value.lowercased()
        row.role = role.rawValue
        row.passwordHash = try Bcrypt.hash(password)
        row.createdAt = now()
        try await database.auditedTransaction { database in
            try await row.create(on: database)
            try await AuditLog.append(AuditChange(subject: .operator, subjectID: row.id ?? "", action: "operator.created",
                                                  after: ["email": .string(row.email), "role": .string(row.role)]), by: actor, at: row.createdAt, on: database)
        }
        return row
    }

    /// A new admin-API token of the operator with this e-mail address.
    func createOperatorToken(email: String, by actor: AuditActor, on database: any Database) async throws -> (APITokenModel, String) {
        guard let found = try await OperatorModel.query(on: database).filter(\.$email == email.trimmingWhitespace().lowercased()).first(),
              let operatorID = found.id else {
            throw ClientError.notFound("There is no operator with the e-mail address \(email).")
        }
        let secret = AccessToken()
        let token = APITokenModel()
        token.id = Identifier.make(at: now())
        token.tokenHash = secret.hash
        token.operatorID = operatorID
        token.scopes = "admin"
        token.createdAt = now()
        try await create(token, by: actor, on: database)
        return (token, secret.secret)
    }
}
