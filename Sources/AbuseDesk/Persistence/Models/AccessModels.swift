import Fluent
import Foundation

/// A member of the trust and safety team.
// See ReportModel for why this is @unchecked Sendable.
final class OperatorModel: Model, @unchecked Sendable {
    static let schema = "operators"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "email") var email: String
    @Field(key: "role") var role: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "created_at") var createdAt: Date
    /// Since when the operator may not sign in or use a token; nil while they may.
    @OptionalField(key: "disabled_at") var disabledAt: Date?

    init() {}
}

extension OperatorModel: StoredRecord {
    static let columns = keys.map(\.description)

    convenience init(row: any StoredRow) throws {
        self.init()
        id = try row.string("id")
        email = try row.string("email")
        role = try row.string("role")
        passwordHash = try row.string("password_hash")
        createdAt = try row.date("created_at")
        disabledAt = try row.optionalDate("disabled_at")
        $id.exists = true
    }
}

/// A bearer token of an account or an operator; only the SHA-256 of the secret is kept.
// See ReportModel for why this is @unchecked Sendable.
final class APITokenModel: Model, @unchecked Sendable {
    static let schema = "api_tokens"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "token_hash") var tokenHash: String
    @OptionalField(key: "account_id") var accountID: String?
    @OptionalField(key: "operator_id") var operatorID: String?
    /// Space-separated scopes.
    @Field(key: "scopes") var scopes: String
    @OptionalField(key: "name") var name: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    /// When an operator's token stops working (accounts' tokens do not expire).
    @OptionalField(key: "expires_at") var expiresAt: Date?

    init() {}
}

/// An operator signed in to the console; the cookie holds a secret whose SHA-256 is the id.
// See ReportModel for why this is @unchecked Sendable.
final class OperatorSessionModel: Model, @unchecked Sendable {
    static let schema = "operator_sessions"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "operator_id") var operatorID: String
    @Field(key: "csrf_token") var csrfToken: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date

    init() {}
}
