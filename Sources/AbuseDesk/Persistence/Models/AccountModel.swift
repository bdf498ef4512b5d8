import Fluent
import Foundation

/// A customer of the provider.
// See ReportModel for why this is @unchecked Sendable.
final class AccountModel: Model, @unchecked Sendable {
    static let schema = "accounts"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "name") var name: String
    @OptionalField(key: "abuse_email") var abuseEmail: String?
    @Field(key: "created_at") var createdAt: Date
    /// When the account was closed: its reports stay, it serves no domains or netblocks any more.
    @OptionalField(key: "closed_at") var closedAt: Date?

    @Children(for: \.$account) var domains: [AccountDomainModel]
    @Children(for: \.$account) var netblocks: [AccountNetblockModel]

    init() {}
}

extension AccountModel: StoredRecord {
    static let columns = keys.map(\.description)

    convenience init(row: any StoredRow) throws {
        self.init()
        id = try row.string("id")
        name = try row.string("name")
        abuseEmail = try row.optionalString("abuse_email")
        createdAt = try row.date("created_at")
        closedAt = try row.optionalDate("closed_at")
        $id.exists = true
    }
}

/// A domain an account serves; reports about it and its subdomains are the account's.
// See ReportModel for why this is @unchecked Sendable.
final class AccountDomainModel: Model, @unchecked Sendable {
    static let schema = "account_domains"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Parent(key: "account_id") var account: AccountModel
    @Field(key: "domain") var domain: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// An address range an account serves.
// See ReportModel for why this is @unchecked Sendable.
final class AccountNetblockModel: Model, @unchecked Sendable {
    static let schema = "account_netblocks"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Parent(key: "account_id") var account: AccountModel
    @Field(key: "cidr") var cidr: String
    @Field(key: "first_address") var firstAddress: String
    @Field(key: "last_address") var lastAddress: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
