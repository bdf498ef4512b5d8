import AbuseDeskCore
import Fluent
import NIOConcurrencyHelpers

/// The routing table of every account's domains and netblocks, held in memory so that routing a
/// report costs no query; reloaded whenever an account's domains or netblocks change.
final class AccountDirectory: Sendable {
    private let current = NIOLockedValueBox(AccountRouter())

    var router: AccountRouter { current.withLockedValue { $0 } }

    func reload(from database: any Database) async throws {
        let domains = try await AccountDomainModel.query(on: database).all().compactMap { row in
            HostName(row.domain).map { AccountRouter.DomainEntry(accountID: row.$account.id, domain: $0) }
        }
        let netblocks = try await AccountNetblockModel.query(on: database).all().compactMap { row in
            Netblock(row.cidr).map { AccountRouter.NetblockEntry(accountID: row.$account.id, netblock: $0) }
        }
        let router = AccountRouter(domains: domains, netblocks: netblocks)
        current.withLockedValue { $0 = router }
    }
}
