import AbuseDeskCore
import Fluent
import Foundation
import Vapor

/// Who a request's bearer token speaks for.
enum Principal: Sendable, Equatable {
    case account(id: String, scopes: Set<TokenScope>)
    case `operator`(id: String, role: OperatorRole)
}

/// Reads `Authorization: Bearer <token>`, finds the token by the SHA-256 of its secret and records who it
/// speaks for. A missing, malformed, unknown or revoked token is a 401 before any handler runs.
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

    static func principal(for secret: String, on database: any Database, now: Date) async throws -> Principal? {
        guard let token = try await APITokenModel.query(on: database)
            .filter(\.$tokenHash == AccessToken.hash(secret))
            .filter(\.$revokedAt == nil)
            .first() else { return nil }
        let principal: Principal
        if let account = token.accountID {
            principal = .account(id: account, scopes: Set(token.scopes.split(separator: " ").compactMap { TokenScope(rawValue: String($0)) }))
        } else if let operatorID = token.operatorID, let found = try await OperatorModel.find(operatorID, on: database),
                  let role = OperatorRole(rawValue: found.role) {
            principal = .operator(id: operatorID, role: role)
        } else {
            return nil
        }
        if token.lastUsedAt.map({ now.timeIntervalSince($0) > lastUsedResolution }) ?? true {
            token.lastUsedAt = now
            try await token.save(on: database)
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

    /// The operator behind this request's token (with the admin role when `adminOnly`); else 403.
    func authorizeOperator(adminOnly: Bool) throws -> (id: String, role: OperatorRole) {
        switch principal {
        case .operator(let id, let role):
            if adminOnly, role != .admin {
                throw ClientError.forbidden("Only an operator with the admin role may manage accounts, tokens and operators.")
            }
            return (id, role)
        case .account:
            throw ClientError.forbidden("This is an account's token; the admin API takes an operator's token.")
        case nil:
            throw ClientError.authentication
        }
    }
}
