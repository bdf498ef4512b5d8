import AbuseDeskCore
import Fluent
import SQLKit
import Foundation
import Vapor

/// Who a request's bearer token speaks for.
enum Principal: Sendable, Equatable {
    case account(id: String, scopes: Set<TokenScope>)
    case `operator`(id: String, role: OperatorRole)
}

/// Reads `Authorization: Bearer <token>`, finds the token by the SHA-256 of its secret and records who it
/// speaks for. A missing, malformed, unknown, revoked or expired token, or one of a disabled operator, is a
/// 401 before any handler runs: every request asks the store, so a change made through any process or
/// the command line holds at once everywhere.
struct BearerAuthentication: AsyncMiddleware {
    let now: @Sendable () -> Date
    /// How stale `last_used_at` may get before a request refreshes it (one write per token per hour).
    static let lastUsedResolution: TimeInterval = 3600

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let secret = Self.bearerSecret(request) else { throw ClientError.authentication }
        guard let principal = try await Self.principal(for: secret, on: request.db, now: now()) else {
            throw ClientError.authentication
        }
        request.principal = principal
        return try await next.respond(to: request)
    }

    /// The token of `Authorization: Bearer ...`, if it is there and has the shape of one.
    static func bearerSecret(_ request: Request) -> String? {
        guard let header = request.headers.first(name: .authorization) else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let secret = parts[1].trimmingCharacters(in: .whitespaces)
        return AccessToken.isWellFormed(secret) ? secret : nil
    }

    /// One statement finds the token and, for an operator's, the operator's role; it runs on every
    /// authenticated call, so it reads columns, not models, as the lists read theirs.
    static func principal(for secret: String, on database: any Database, now: Date) async throws -> Principal? {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        guard let row = try await sql.rows("""
            SELECT api_tokens.id, api_tokens.account_id, api_tokens.operator_id, api_tokens.scopes, api_tokens.last_used_at, operators.role
            FROM api_tokens LEFT JOIN operators ON operators.id = api_tokens.operator_id
            WHERE api_tokens.token_hash = \(bind: AccessToken.hash(secret)) AND api_tokens.revoked_at IS NULL
              AND (api_tokens.expires_at IS NULL OR api_tokens.expires_at > \(bind: now)) AND operators.disabled_at IS NULL
            """, plan: .kept).first else { return nil }
        let principal: Principal
        if let account = try row.optionalString("account_id") {
            let scopes = try row.string("scopes").split(separator: " ").compactMap { TokenScope(rawValue: String($0)) }
            principal = .account(id: account, scopes: Set(scopes))
        } else if let operatorID = try row.optionalString("operator_id"), let role = try row.optionalString("role").flatMap(OperatorRole.init(rawValue:)) {
            principal = .operator(id: operatorID, role: role)
        } else {
            return nil
        }
        if try row.optionalDate("last_used_at").map({ now.timeIntervalSince($0) > lastUsedResolution }) ?? true {
            try await sql.update(APITokenModel.schema).set("last_used_at", to: now).where("id", .equal, try row.string("id")).run()
        }
        return principal
    }
}

extension Request {
    private struct PrincipalKey: StorageKey {
        typealias Value = Principal
    }

    var principal: Principal? {
        get { storage[PrincipalKey.self] }
        set { storage[PrincipalKey.self] = newValue }
    }

    /// The account in the path, if this request's token is that account's and has `scope`; else 403.
    func authorizeAccount(_ accountID: String, scope: TokenScope) throws -> String {
        switch principal {
        case .account(let id, let scopes):
            guard id == accountID else {
                throw ClientError.forbidden("This token belongs to another account; it cannot act for account \(accountID).")
            }
            guard scopes.contains(scope) else { throw ClientError.missingScope(scope) }
            return id
        case .operator:
            throw ClientError.forbidden("This is an operator's token; the Accounts API takes a token of the account.")
        case nil:
            throw ClientError.authentication
        }
    }

    /// The operator behind this request's token (with the admin role when `adminOnly`), as the audit
    /// log names who acts; else 403.
    @discardableResult
    func authorizeOperator(adminOnly: Bool) throws -> AuditActor {
        switch principal {
        case .operator(let id, let role):
            if adminOnly, role != .admin {
                throw ClientError.forbidden("Only an operator with the admin role may manage accounts, tokens and operators.")
            }
            return .operator(id)
        case .account:
            throw ClientError.forbidden("This is an account's token; the admin API takes an operator's token.")
        case nil:
            throw ClientError.authentication
        }
    }
}
