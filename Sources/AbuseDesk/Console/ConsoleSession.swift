import AbuseDeskCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Who is signed in to the console, as a request carries it.
struct ConsoleOperator: Sendable, Equatable {
    var id: String
    var email: String
    var role: OperatorRole
    /// The token every form of this session carries back.
    var csrfToken: String

    var actor: AuditActor { .operator(id) }
    var isAdmin: Bool { role == .admin }
}

/// Operators' sessions: signing in with e-mail and password (Bcrypt), a session cookie whose secret is
/// kept only as its SHA-256, a CSRF token per session that every form must carry back, signing out.
struct ConsoleSessions: Sendable {
    static let cookieName = "abusedesk_console"
    static let csrfField = "_csrf"
    static let lifetime: TimeInterval = 12 * 3600
    /// Checked against when the e-mail address is unknown, so that a wrong address takes as long as a wrong password.
    static let decoyHash: String = (try? Bcrypt.hash(AccessToken().secret)) ?? ""

    let passwords: PasswordHasher
    let now: @Sendable () -> Date

    /// What a sign-in with an e-mail address and a password comes to.
    enum SignIn {
        case `operator`(OperatorModel)
        /// The password was right, but an admin disabled the operator.
        case disabled
        case refused
    }

    /// Checks an e-mail address and password. Bcrypt runs on the hasher's threads, and for an unknown address
    /// too; a password longer than Bcrypt reads (72 bytes) never matches.
    func verify(email: String, password: String, request: Request) async throws -> SignIn {
        let found = try await OperatorModel.query(on: request.db).filter(\.$email == email.trimmingWhitespace().lowercased()).first()
        let hash = found?.passwordHash ?? Self.decoyHash
        let matches = try await passwords.verify(password, against: hash)
        guard matches, let found else { return .refused }
        return found.disabledAt == nil ? .operator(found) : .disabled
    }

    /// Ends every session of an operator (but `keeping`, the one that asked): after a password change
    /// or when the operator is disabled.
    static func endAll(of operatorID: String, keeping: String? = nil, on database: any Database) async throws {
        var sessions = OperatorSessionModel.query(on: database).filter(\.$operatorID == operatorID)
        if let keeping { sessions = sessions.filter(\.$id != keeping) }
        try await sessions.delete()
    }

    /// The id (the secret's SHA-256) of the request's session, if it carries one.
    static func sessionID(of request: Request) -> String? {
        guard let secret = request.cookies[cookieName]?.string, AccessToken.isWellFormed(secret) else { return nil }
        return AccessToken.hash(secret)
    }

    /// Starts a session for `account` and sets its cookie on `response`.
    func start(for account: OperatorModel, on response: Response, request: Request) async throws {
        let secret = AccessToken()
        let session = OperatorSessionModel()
        session.id = secret.hash
        session.operatorID = account.id ?? ""
        session.csrfToken = AccessToken().secret
        session.createdAt = now()
        session.expiresAt = now().addingTimeInterval(Self.lifetime)
        try await session.create(on: request.db)
        response.cookies[Self.cookieName] = HTTPCookies.Value(string: secret.secret, maxAge: Int(Self.lifetime), path: "/console",
                                                              isSecure: request.isServedOverHTTPS, isHTTPOnly: true, sameSite: .strict)
    }

    /// Ends the request's session and clears its cookie.
    func end(_ request: Request, on response: Response) async throws {
        if let secret = request.cookies[Self.cookieName]?.string, AccessToken.isWellFormed(secret) {
            try await OperatorSessionModel.query(on: request.db).filter(\.$id == AccessToken.hash(secret)).delete()
        }
        response.cookies[Self.cookieName] = HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/console",
                                                              isSecure: request.isServedOverHTTPS, isHTTPOnly: true, sameSite: .strict)
    }

    /// The signed-in operator of a request, if its cookie names a live session.
    func current(_ request: Request) async throws -> ConsoleOperator? {
        guard let secret = request.cookies[Self.cookieName]?.string, AccessToken.isWellFormed(secret),
              let sql = request.db as? any SQLDatabase else { return nil }
        guard let row = try await sql.raw("""
            SELECT operators.id, operators.email, operators.role, operator_sessions.csrf_token
            FROM operator_sessions JOIN operators ON operators.id = operator_sessions.operator_id
            WHERE operator_sessions.id = \(bind: AccessToken.hash(secret)) AND operator_sessions.expires_at > \(bind: now())
              AND operators.disabled_at IS NULL
            """).first() else { return nil }
        guard let role = OperatorRole(rawValue: try row.decode(column: "role", as: String.self)) else { return nil }
        return ConsoleOperator(id: try row.decode(column: "id", as: String.self), email: try row.decode(column: "email", as: String.self),
                               role: role, csrfToken: try row.decode(column: "csrf_token", as: String.self))
    }

    /// Removes sessions past their end; answers how many.
    @discardableResult
    func expire(on database: any Database) async throws -> Int {
        let expired = OperatorSessionModel.query(on: database).filter(\.$expiresAt <= now())
        let count = try await expired.copy().count()
        if count > 0 { try await expired.delete() }
        return count
    }
}

/// Lets only signed-in operators through; a page asked for without a session goes to the sign-in form,
/// and a form sent without its session's CSRF token (or from another site) is refused.
struct ConsoleAuthentication: AsyncMiddleware {
    let sessions: ConsoleSessions

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // A form from another site is refused before anything is looked up or read.
        if request.method == .POST, !FormProtection.sameOrigin(request) { throw Self.forged }
        guard let signedIn = try await sessions.current(request) else {
            if request.method == .GET {
                let target = request.url.path + (request.url.query.map { "?" + $0 } ?? "")
                return request.redirect(toLocal: "/console/login?next=" + (target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
            }
            throw ClientError(status: .unauthorized, code: "SignedOut", message: "Your session has ended. Sign in again, then repeat what you did.")
        }
        if request.method == .POST {
            // The body (at most 1 MiB) is read once, in linear time, and kept for the handler.
            let submitted = (try? request.urlEncodedForm())?.values(ConsoleSessions.csrfField).last
            guard let submitted, FormProtection.constantTimeEquals(submitted, signedIn.csrfToken) else { throw Self.forged }
        }
        request.consoleOperator = signedIn
        return try await next.respond(to: request)
    }

    static let forged = ClientError(status: .forbidden, code: "Forbidden",
                                    message: "This form was not sent from a page of this console, or it is too old. Open the page again and repeat what you did.")
}

extension Request {
    private struct ConsoleOperatorKey: StorageKey {
        typealias Value = ConsoleOperator
    }

    var consoleOperator: ConsoleOperator? {
        get { storage[ConsoleOperatorKey.self] }
        set { storage[ConsoleOperatorKey.self] = newValue }
    }

    /// The signed-in operator; admins only when `adminOnly`.
    func signedInOperator(adminOnly: Bool = false) throws -> ConsoleOperator {
        guard let signedIn = consoleOperator else {
            throw ClientError(status: .unauthorized, code: "SignedOut", message: "Sign in to the console first.")
        }
        if adminOnly, !signedIn.isAdmin {
            throw ClientError.forbidden("Only an operator with the admin role may manage accounts, tokens and operators.")
        }
        return signedIn
    }
}
