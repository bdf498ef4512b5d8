import AbuseDeskCore
import Fluent
import NIOConcurrencyHelpers
import SQLKit

/// The routing table of every account's domains and netblocks, held in memory so that routing a
/// report costs no query. It is reloaded after every change made through this process, and when
/// another process (the command line) changed the tables: see ``refreshIfChanged(from:)``.
final class AccountDirectory: Sendable {
    private struct State {
        var router = AccountRouter()
        /// Row counts and newest rows of both tables when the router was built.
        var fingerprint: [String] = []
    }

    private let state = NIOLockedValueBox(State())

    var router: AccountRouter { state.withLockedValue { $0.router } }

    func reload(from database: any Database) async throws {
        let fingerprint = try await Self.fingerprint(of: database)
        let domains = try await AccountDomainModel.query(on: database).all().compactMap { row in
            HostName(row.domain).map { AccountRouter.DomainEntry(accountID: row.$account.id, domain: $0) }
        }
        let netblocks = try await AccountNetblockModel.query(on: database).all().compactMap { row in
            Netblock(row.cidr).map { AccountRouter.NetblockEntry(accountID: row.$account.id, netblock: $0) }
        }
        let router = AccountRouter(domains: domains, netblocks: netblocks)
        state.withLockedValue { $0 = State(router: router, fingerprint: fingerprint) }
    }

    /// Reloads when the tables differ from what the router was built from. A row added changes the count
    /// or the newest id (ids begin with their creation time); a row removed changes the count.
    @discardableResult
    func refreshIfChanged(from database: any Database) async throws -> Bool {
        let current = try await Self.fingerprint(of: database)
        guard current != state.withLockedValue({ $0.fingerprint }) else { return false }
        try await reload(from: database)
        return true
    }

    private static func fingerprint(of database: any Database) async throws -> [String] {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        var parts: [String] = []
        for table in ["account_domains", "account_netblocks"] {
            let row = try await sql.raw("SELECT COUNT(*) AS n, MAX(id) AS newest FROM \(ident: table)").first()
            parts.append("\(try row?.decode(column: "n", as: Int.self) ?? 0):\(try row?.decode(column: "newest", as: String?.self) ?? "")")
        }
        return parts
    }
}
