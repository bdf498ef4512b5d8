import AbuseDeskCore
import Fluent
import NIOConcurrencyHelpers
import SQLKit

/// The routing table of every account's domains and netblocks, held in memory so that routing a
/// report costs no query, with the version of the store's routing it was built from.
///
/// Every change of domains or netblocks, by any process or the command line, adds one to the store's
/// routing version (M014's triggers). A process compares the two: in the background every half second
/// (``refreshIfChanged(from:)``), and in the intake writer's transaction before it stores a batch
/// routed by an older table (``rerouted(_:on:)``), so no report is stored with a routing older than
/// the store's at its commit, whichever process changed the accounts.
final class AccountDirectory: Sendable {
    /// A routing table and the routing version it was built from.
    struct Table: Sendable {
        var router = AccountRouter()
        var version: Int64 = 0
    }

    private let table = NIOLockedValueBox(Table())
    /// Where the version routed by is shown (`abusedesk_routing_version`), whichever path loaded it.
    private let metrics: AppMetrics?

    init(metrics: AppMetrics? = nil) {
        self.metrics = metrics
    }

    /// The routing table as last loaded.
    var current: Table { table.withLockedValue { $0 } }
    var router: AccountRouter { current.router }

    /// The store's routing version: how many changes of domains and netblocks it has seen.
    static func version(on sql: any SQLDatabase) async throws -> Int64 {
        try await sql.raw("SELECT version FROM store_versions WHERE name = 'routing'").first()?.decode(column: "version", as: Int64.self) ?? 0
    }

    /// Loads the table from the store. The version is read first: a change that commits while the rows
    /// are read makes the store's version newer than the table's, and the next check loads again.
    @discardableResult
    func reload(from database: any Database) async throws -> Table {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        return try await reload(from: sql)
    }

    @discardableResult
    func reload(from sql: any SQLDatabase) async throws -> Table {
        let version = try await Self.version(on: sql)
        var domains: [AccountRouter.DomainEntry] = []
        for row in try await sql.raw("SELECT account_id, domain FROM account_domains").all() {
            guard let domain = HostName(try row.decode(column: "domain", as: String.self)) else { continue }
            domains.append(.init(accountID: try row.decode(column: "account_id", as: String.self), domain: domain))
        }
        var netblocks: [AccountRouter.NetblockEntry] = []
        for row in try await sql.raw("SELECT account_id, cidr FROM account_netblocks").all() {
            guard let netblock = Netblock(try row.decode(column: "cidr", as: String.self)) else { continue }
            netblocks.append(.init(accountID: try row.decode(column: "account_id", as: String.self), netblock: netblock))
        }
        let loaded = Table(router: AccountRouter(domains: domains, netblocks: netblocks), version: version)
        // Two loads may finish out of order: the newer version stays.
        let kept = table.withLockedValue { current in
            if loaded.version >= current.version { current = loaded }
            return current
        }
        metrics?.routingVersion(kept.version)
        return kept
    }

    /// Reloads when the store's routing version differs from the table's; answers whether it did.
    @discardableResult
    func refreshIfChanged(from database: any Database) async throws -> Bool {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        return try await fresh(on: sql).reloaded
    }

    /// The table as of the store's routing version now, reloaded if it moved on.
    func fresh(on sql: any SQLDatabase) async throws -> (table: Table, reloaded: Bool) {
        let version = try await Self.version(on: sql)
        let known = current
        guard version != known.version else { return (known, false) }
        return (try await reload(from: sql), true)
    }

    /// `jobs`, with the reports of those routed by an older table routed again by the store's current
    /// one. Called inside the writer's transaction: on SQLite it holds the write lock, on PostgreSQL a
    /// routing change that commits later than this read is ordered after these reports.
    func rerouted(_ jobs: [IntakeJob], on sql: any SQLDatabase) async throws -> [IntakeJob] {
        guard jobs.contains(where: { $0.routingVersion != nil }) else { return jobs }
        let version = try await Self.version(on: sql)
        guard jobs.contains(where: { $0.routingVersion.map { $0 != version } ?? false }) else { return jobs }
        var table = current
        if table.version != version { table = try await reload(from: sql) }
        return jobs.map { job in
            guard let routed = job.routingVersion, routed != table.version else { return job }
            var job = job
            for index in job.records.indices { job.records[index].routing = table.router.route(job.records[index].targets) }
            job.routingVersion = table.version
            return job
        }
    }
}
