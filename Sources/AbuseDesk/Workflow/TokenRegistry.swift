import AbuseDeskCore
import Fluent
import Foundation

/// The bearer tokens of accounts (the Accounts API) and of operators (the admin API): each created
/// with its audit entry, listed without secrets, revoked. Only the SHA-256 of a secret is stored; the
/// secret itself is in the answer that created it, once.
struct TokenRegistry: Sendable {
    enum Owner: Sendable, Equatable {
        case account(String)
        case `operator`(String)

        var noun: String {
            switch self {
            case .account(let id): "Account \(id)"
            case .operator(let id): "Operator \(id)"
            }
        }
    }

    let now: @Sendable () -> Date

    /// A new token of `owner`; the secret is in the answer only.
    func create(for owner: Owner, scopes: String, name: String?, expiresAt: Date? = nil, by actor: AuditActor,
                on database: any Database) async throws -> (APITokenModel, String) {
        let secret = AccessToken()
        let token = APITokenModel()
        token.id = Identifier.make(at: now())
        token.tokenHash = secret.hash
        switch owner {
        case .account(let id): token.accountID = id
        case .operator(let id): token.operatorID = id
        }
        token.scopes = scopes
        token.name = name
        token.createdAt = now()
        token.expiresAt = expiresAt
        var state: JSONObject = switch owner {
        case .account(let id): ["account_id": .string(id)]
        case .operator(let id): ["operator_id": .string(id)]
        }
        state["scopes"] = .string(token.scopes)
        state["name"] = .optional(token.name)
        if let expiresAt { state["expires_at"] = .string(RFC3339.format(expiresAt)) }
        let after = state
        try await database.auditedTransaction { database in
            try await token.create(on: database)
            try await AuditLog.append(AuditChange(subject: .token, subjectID: token.id ?? "", action: "token.created", after: .object(after)),
                                      by: actor, at: token.createdAt, on: database)
        }
        return (token, secret.secret)
    }

    /// Every token of `owner`, oldest first.
    func list(of owner: Owner, on database: any Database) async throws -> [APITokenModel] {
        try await query(owner, on: database).sort(\.$createdAt).sort(\.$id).all()
    }

    /// Revokes a token of `owner` (revoking a revoked one changes nothing).
    func revoke(_ tokenID: String, of owner: Owner, by actor: AuditActor, on database: any Database) async throws -> APITokenModel {
        let now = now()
        return try await database.auditedTransaction { database in
            guard let token = try await query(owner, on: database).filter(\.$id == tokenID).first() else {
                throw ClientError.notFound("\(owner.noun) has no token \(tokenID).")
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

    /// Revokes every live token of `owner` in the caller's transaction; answers their ids.
    func revokeAll(of owner: Owner, by actor: AuditActor, at now: Date, on database: any Database) async throws -> [String] {
        let live = try await query(owner, on: database).filter(\.$revokedAt == nil).all()
        for token in live {
            token.revokedAt = now
            try await token.save(on: database)
            try await AuditLog.append(AuditChange(subject: .token, subjectID: token.id ?? "", action: "token.revoked", before: ["revoked_at": .null],
                                                  after: ["revoked_at": .string(RFC3339.format(now))]), by: actor, at: now, on: database)
        }
        return live.compactMap(\.id)
    }

    private func query(_ owner: Owner, on database: any Database) -> QueryBuilder<APITokenModel> {
        switch owner {
        case .account(let id): APITokenModel.query(on: database).filter(\.$accountID == id)
        case .operator(let id): APITokenModel.query(on: database).filter(\.$operatorID == id)
        }
    }
}
