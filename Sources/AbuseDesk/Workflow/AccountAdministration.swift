import AbuseDeskCore
import Fluent
import Foundation
import Vapor

/// Customer accounts with their domains, netblocks and tokens: what the command line, the console and
/// the admin API all do. Routing is reloaded after every change of domains or netblocks (other processes
/// see it through the directory's version check).
struct AccountAdministration: Sendable {
    let directory: AccountDirectory
    let now: @Sendable () -> Date

    var tokens: TokenRegistry { TokenRegistry(now: now) }

    /// A new account from `body`, with every problem named in one answer: its form (400), and each
    /// domain or netblock another account has already (409 when that is all).
    func readNewAccount(_ body: JSONValue, on database: any Database) async throws -> NewAccount {
        let draft = Self.parseNewAccount(body)
        let taken = try await takenProblems(domains: draft.domains, netblocks: draft.netblocks, on: database)
        guard draft.problems.isEmpty, let name = draft.name else {
            throw ClientError.validation(ValidationFailure(draft.problems + taken), noun: "account")
        }
        if !taken.isEmpty { throw ClientError.conflict(taken.map(\.message).joined(separator: " "), problems: taken) }
        return NewAccount(name: name, abuseEmail: draft.abuseEmail, domains: draft.domains.map(\.value), netblocks: draft.netblocks.map(\.value))
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

    /// Renames an account or changes its abuse contact (the customer's e-mails go there from now on).
    func updateAccount(_ id: String, _ change: AccountChange, by actor: AuditActor, on database: any Database) async throws -> AccountModel {
        let now = now()
        return try await database.auditedTransaction { database in
            let account = try await requireOpenAccount(id, on: database)
            let before: JSONValue = ["name": .string(account.name), "abuse_email": .optional(account.abuseEmail)]
            if let name = change.name { account.name = name }
            if let email = change.abuseEmail { account.abuseEmail = email }
            try await account.save(on: database)
            try await AuditLog.append(AuditChange(subject: .account, subjectID: id, action: "account.updated", before: before,
                                                  after: ["name": .string(account.name), "abuse_email": .optional(account.abuseEmail)]),
                                      by: actor, at: now, on: database)
            return account
        }
    }

    /// Closes an account: it serves no domains or netblocks any more (they are free for another account,
    /// and reports about them are no longer routed to it), its tokens are revoked, its reports and their
    /// mitigations stay. A closed account cannot be changed.
    func closeAccount(_ id: String, by actor: AuditActor, on database: any Database) async throws -> AccountModel {
        let tokens = tokens
        return try await changeRouting(by: actor, on: database) { database, now in
            let account = try await requireOpenAccount(id, on: database)
            let domains = try await AccountDomainModel.query(on: database).filter(\.$account.$id == id).all()
            let netblocks = try await AccountNetblockModel.query(on: database).filter(\.$account.$id == id).all()
            try await AccountDomainModel.query(on: database).filter(\.$account.$id == id).delete()
            try await AccountNetblockModel.query(on: database).filter(\.$account.$id == id).delete()
            let revoked = try await tokens.revokeAll(of: .account(id), by: actor, at: now, on: database)
            account.closedAt = now
            try await account.save(on: database)
            let before: JSONValue = ["domains": .array(domains.map { .string($0.domain) }.sorted { $0.stringValue ?? "" < $1.stringValue ?? "" }),
                                     "netblocks": .array(netblocks.map { .string($0.cidr) }), "closed_at": .null]
            let after: JSONValue = ["domains": [], "netblocks": [], "tokens_revoked": .array(revoked.map(JSONValue.string)),
                                    "closed_at": .string(RFC3339.format(now))]
            return (account, AuditChange(subject: .account, subjectID: id, action: "account.closed", before: before, after: after))
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
    @discardableResult
    private func requireAccount(_ id: String, on database: any Database) async throws -> AccountModel {
        guard Identifier.isWellFormed(id), let account = try await AccountModel.find(id, on: database) else { throw Self.noAccount(id) }
        return account
    }

    /// The account, unless it is missing (404) or closed (409): what every change needs.
    @discardableResult
    private func requireOpenAccount(_ id: String, on database: any Database) async throws -> AccountModel {
        let account = try await requireAccount(id, on: database)
        if let closed = account.closedAt {
            throw ClientError.conflict("Account \(id) was closed on \(ConsoleFormat.time(closed)); a closed account cannot be changed.")
        }
        return account
    }

    private static func noAccount(_ id: String) -> ClientError { ClientError.notFound("There is no account \(id).") }

    func addDomain(_ domain: HostName, to accountID: String, by actor: AuditActor, on database: any Database) async throws -> AccountDomainModel {
        try await changeRouting(by: actor, on: database) { database, now in
            try await requireOpenAccount(accountID, on: database)
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
            try await requireOpenAccount(accountID, on: database)
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
        func path(_ base: String, _ index: Int, single: Bool) -> String { single && !base.hasSuffix("s") ? base : "\(base)[\(index)]" }
        let problems = try await takenProblems(
            domains: domains.enumerated().map { (path(paths.domain, $0.offset, single: domains.count == 1), $0.element) },
            netblocks: netblocks.enumerated().map { (path(paths.netblock, $0.offset, single: netblocks.count == 1), $0.element) },
            on: database)
        if !problems.isEmpty {
            throw ClientError.conflict(problems.map(\.message).joined(separator: " "), problems: problems)
        }
    }

    /// A problem for each domain or netblock that another account has already.
    private func takenProblems(domains: [(path: String, value: HostName)], netblocks: [(path: String, value: Netblock)],
                               on database: any Database) async throws -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        if !domains.isEmpty {
            let owners = try await AccountDomainModel.query(on: database).filter(\.$domain ~~ domains.map(\.value.value)).all()
                .reduce(into: [String: String]()) { $0[$1.domain] = $1.$account.id }
            for (path, domain) in domains {
                guard let owner = owners[domain.value] else { continue }
                problems.append(ValidationProblem(path: path, code: .duplicate, message: "\(quoted(domain.value)) already belongs to account \(owner)."))
            }
        }
        if !netblocks.isEmpty {
            let owners = try await AccountNetblockModel.query(on: database).filter(\.$cidr ~~ netblocks.map(\.value.description)).all()
                .reduce(into: [String: String]()) { $0[$1.cidr] = $1.$account.id }
            for (path, netblock) in netblocks {
                guard let owner = owners[netblock.description] else { continue }
                problems.append(ValidationProblem(path: path, code: .duplicate, message: "\(quoted(netblock.description)) already belongs to account \(owner)."))
            }
        }
        return problems
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
        try await requireOpenAccount(accountID, on: database)
        return try await tokens.create(for: .account(accountID), scopes: TokenScope.allCases.filter(scopes.contains).map(\.rawValue).joined(separator: " "),
                                       name: name, by: actor, on: database)
    }

    func tokens(of accountID: String, on database: any Database) async throws -> [APITokenModel] {
        try await requireAccount(accountID, on: database)
        return try await tokens.list(of: .account(accountID), on: database)
    }

    func revokeToken(_ tokenID: String, of accountID: String, by actor: AuditActor, on database: any Database) async throws -> APITokenModel {
        try await tokens.revoke(tokenID, of: .account(accountID), by: actor, on: database)
    }
}
