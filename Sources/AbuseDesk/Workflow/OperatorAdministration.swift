import AbuseDeskCore
import Fluent
import Foundation
import Vapor

/// The trust and safety team: operators are created, change role and password, are disabled when they
/// leave (their sessions end and their tokens are refused at once, on every process) and enabled again,
/// and get admin-API tokens that expire. Every change is in the audit log; no secret ever is.
struct OperatorAdministration: Sendable {
    static let minimumPasswordLength = 12
    /// Bcrypt reads no more than 72 bytes of a password; a longer one is refused rather than cut.
    static let maximumPasswordBytes = PasswordHasher.maximumBytes
    static let defaultTokenDays = 90
    static let maximumTokenDays = 3650

    let passwords: PasswordHasher
    let now: @Sendable () -> Date

    var tokens: TokenRegistry { TokenRegistry(now: now) }

    /// The problems of a new password, if any.
    static func passwordProblems(_ password: String, path: String = "password") -> [ValidationProblem] {
        if password.count < minimumPasswordLength {
            return [ValidationProblem(path: path, code: .length, message: "Must be at least \(minimumPasswordLength) characters; got \(password.count).")]
        }
        if password.utf8.count > maximumPasswordBytes {
            return [ValidationProblem(path: path, code: .length,
                                      message: "Must be at most \(maximumPasswordBytes) bytes (about \(maximumPasswordBytes) letters, fewer with accents or other scripts); got \(password.utf8.count). Longer passwords are not cut short: choose a shorter one.")]
        }
        return []
    }

    // MARK: Operators

    func createOperator(email text: String, role: OperatorRole, password: String, by actor: AuditActor,
                        on database: any Database) async throws -> OperatorModel {
        var problems: [ValidationProblem] = []
        let email = EmailAddress(text.trimmingWhitespace())
        if email == nil {
            problems.append(ValidationProblem(path: "email", code: .format, message: "Must be an e-mail address such as name@example.com; got \(quoted(text))."))
        }
        problems += Self.passwordProblems(password)
        if let email, try await OperatorModel.query(on: database).filter(\.$email == email.value.lowercased()).first() != nil {
            problems.append(ValidationProblem(path: "email", code: .duplicate, message: "An operator with the e-mail address \(email.value) exists already."))
        }
        guard problems.isEmpty, let email else { throw ClientError.validation(ValidationFailure(problems), noun: "operator") }
        let row = OperatorModel()
        row.id = Identifier.make(at: now())
        row.email = email.value.lowercased()
        row.role = role.rawValue
        row.passwordHash = try await passwords.hash(password)
        row.createdAt = now()
        try await database.auditedTransaction { database in
            try await row.create(on: database)
            try await AuditLog.append(AuditChange(subject: .operator, subjectID: row.id ?? "", action: "operator.created",
                                                  after: ["email": .string(row.email), "role": .string(row.role)]), by: actor, at: row.createdAt, on: database)
        }
        return row
    }

    /// The operator with this id (404 otherwise).
    func find(_ id: String, on database: any Database) async throws -> OperatorModel {
        guard Identifier.isWellFormed(id), let found = try await OperatorModel.find(id, on: database) else {
            throw ClientError.notFound("There is no operator \(id).")
        }
        return found
    }

    /// The operator with this e-mail address (404 otherwise).
    func find(email: String, on database: any Database) async throws -> OperatorModel {
        guard let found = try await OperatorModel.query(on: database).filter(\.$email == email.trimmingWhitespace().lowercased()).first() else {
            throw ClientError.notFound("There is no operator with the e-mail address \(email).")
        }
        return found
    }

    /// Disables an operator (they are let go, or their access is in doubt): their sessions end and their
    /// tokens are refused from this moment, on every process. Nobody disables themselves, and the last
    /// admin who can sign in stays.
    func disable(_ id: String, by actor: AuditActor, on database: any Database) async throws -> OperatorModel {
        let now = now()
        return try await database.auditedTransaction { database in
            let target = try await find(id, on: database)
            if actor.operatorID == id {
                throw ClientError.conflict("You cannot disable yourself; ask another admin.")
            }
            guard target.disabledAt == nil else { return target }
            if target.role == OperatorRole.admin.rawValue { try await keepAnAdmin(besides: id, on: database) }
            target.disabledAt = now
            try await target.save(on: database)
            try await ConsoleSessions.endAll(of: id, on: database)
            try await AuditLog.append(AuditChange(subject: .operator, subjectID: id, action: "operator.disabled", before: ["disabled_at": .null],
                                                  after: ["disabled_at": .string(RFC3339.format(now))]), by: actor, at: now, on: database)
            return target
        }
    }

    /// Lets a disabled operator sign in and use their tokens again.
    func enable(_ id: String, by actor: AuditActor, on database: any Database) async throws -> OperatorModel {
        let now = now()
        return try await database.auditedTransaction { database in
            let target = try await find(id, on: database)
            guard let disabled = target.disabledAt else { return target }
            target.disabledAt = nil
            try await target.save(on: database)
            try await AuditLog.append(AuditChange(subject: .operator, subjectID: id, action: "operator.enabled",
                                                  before: ["disabled_at": .string(RFC3339.format(disabled))], after: ["disabled_at": .null]),
                                      by: actor, at: now, on: database)
            return target
        }
    }

    /// Gives an operator another role; the last admin who can sign in keeps theirs.
    func setRole(_ id: String, to role: OperatorRole, by actor: AuditActor, on database: any Database) async throws -> OperatorModel {
        let now = now()
        return try await database.auditedTransaction { database in
            let target = try await find(id, on: database)
            guard target.role != role.rawValue else { return target }
            if target.role == OperatorRole.admin.rawValue, target.disabledAt == nil { try await keepAnAdmin(besides: id, on: database) }
            let before = target.role
            target.role = role.rawValue
            try await target.save(on: database)
            try await AuditLog.append(AuditChange(subject: .operator, subjectID: id, action: "operator.role_changed", before: ["role": .string(before)],
                                                  after: ["role": .string(role.rawValue)]), by: actor, at: now, on: database)
            return target
        }
    }

    /// Sets a new password and ends the operator's other sessions (all but `keepingSession`, the one
    /// that changed it, if it was theirs).
    func setPassword(_ id: String, to password: String, keepingSession: String? = nil, by actor: AuditActor,
                     on database: any Database) async throws -> OperatorModel {
        let problems = Self.passwordProblems(password)
        guard problems.isEmpty else { throw ClientError.validation(ValidationFailure(problems), noun: "password") }
        let hashed = try await passwords.hash(password)
        let now = now()
        return try await database.auditedTransaction { database in
            let target = try await find(id, on: database)
            target.passwordHash = hashed
            try await target.save(on: database)
            try await ConsoleSessions.endAll(of: id, keeping: keepingSession, on: database)
            try await AuditLog.append(AuditChange(subject: .operator, subjectID: id, action: "operator.password_changed",
                                                  after: ["sessions_kept": .bool(keepingSession != nil)]), by: actor, at: now, on: database)
            return target
        }
    }

    /// Whether `password` is the operator's current one.
    func checkPassword(_ password: String, of target: OperatorModel) async throws -> Bool {
        try await passwords.verify(password, against: target.passwordHash)
    }

    /// Refuses a change that would leave no enabled admin but `id`.
    private func keepAnAdmin(besides id: String, on database: any Database) async throws {
        let others = try await OperatorModel.query(on: database).filter(\.$role == OperatorRole.admin.rawValue)
            .filter(\.$disabledAt == nil).filter(\.$id != id).count()
        if others == 0 {
            throw ClientError.conflict("This is the last admin who can sign in; make another operator an admin first.")
        }
    }

    // MARK: Tokens

    /// A new admin-API token of an operator, valid for `days` days.
    func createToken(for target: OperatorModel, days: Int = defaultTokenDays, by actor: AuditActor,
                     on database: any Database) async throws -> (APITokenModel, String) {
        guard (1...Self.maximumTokenDays).contains(days) else {
            throw ClientError.validation(ValidationFailure([ValidationProblem(path: "expires_in", code: .range,
                                                                              message: "Must be a number of days from 1 to \(Self.maximumTokenDays); got \(days).")]),
                                         noun: "token")
        }
        guard target.disabledAt == nil else {
            throw ClientError.conflict("Operator \(target.email) is disabled; enable them before giving them a token.")
        }
        return try await tokens.create(for: .operator(target.id ?? ""), scopes: "admin", name: nil,
                                       expiresAt: now().addingTimeInterval(TimeInterval(days) * 86_400), by: actor, on: database)
    }

    func tokens(of id: String, on database: any Database) async throws -> [APITokenModel] {
        _ = try await find(id, on: database)
        return try await tokens.list(of: .operator(id), on: database)
    }

    func revokeToken(_ tokenID: String, of id: String, by actor: AuditActor, on database: any Database) async throws -> APITokenModel {
        try await tokens.revoke(tokenID, of: .operator(id), by: actor, on: database)
    }
}
