import AbuseDeskCore
import SQLKit

/// Which targets a list's filter names — a host with its subdomains, an address, an address block — as
/// ranges of `report_targets`' indexes, and how a list reads the reports that have them.
///
/// Reversed host names and fixed-width address keys are compared byte by byte (on PostgreSQL in the
/// "C" collation, whatever the database's own), so that a domain and all its subdomains, or a block, is
/// one or two contiguous ranges of an index.
struct TargetMatch {
    /// Up to this many matching targets drive a list's query; beyond, each report is checked in turn.
    static let selectiveTargets = 2_000

    let sql: any SQLDatabase
    private var collate: SQLQueryString { sql.dialect.name == "sqlite" ? "" : " COLLATE \"C\"" }

    /// Targets whose host is `host` or one of its subdomains: `com.example` itself, and everything from
    /// `com.example.` up to `com.example/` (the character after the dot).
    func host(_ host: HostName) -> SQLQueryString {
        let reversed = host.reversed
        return "(report_targets.host_reversed = \(bind: reversed) OR (report_targets.host_reversed" + collate + " > \(bind: reversed + ".")"
            + " AND report_targets.host_reversed" + collate + " < \(bind: reversed + "/")))"
    }

    /// Targets whose address lies in `block`.
    func block(_ block: Netblock) -> SQLQueryString {
        "(report_targets.ip_key" + collate + " BETWEEN \(bind: block.address.indexKey) AND \(bind: block.lastAddress.indexKey))"
    }

    /// Targets at `address`.
    func address(_ address: IPAddress) -> SQLQueryString {
        "(report_targets.ip_key = \(bind: address.indexKey))"
    }

    /// Which reports have a target `matching`, as a condition on `reports`. When at most `selective`
    /// targets match (counted first, reading no more than that many), they drive the query: their
    /// reports are fetched by id and sorted. When more do, the condition is checked report by report
    /// along the list's own index, which finds a page's worth within a few hundred reports.
    func reports(naming matching: SQLQueryString, selectiveUpTo selective: Int = selectiveTargets) async throws -> Naming {
        let named = try await sql.rows("""
            SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM report_targets WHERE \(matching) LIMIT \(literal: selective + 1)) AS named
            """).first?.integer("n") ?? 0
        return named <= selective
            ? .few("reports.id IN (SELECT report_targets.report_id FROM report_targets WHERE \(matching))")
            : .many("EXISTS (SELECT 1 FROM report_targets WHERE report_targets.report_id = reports.id AND \(matching))", targets: matching)
    }

    /// The reports a filter on targets names, and how a query finds them.
    enum Naming {
        /// Few: the condition reads the matching targets and fetches their reports by id.
        case few(SQLQueryString)
        /// Many: the condition is checked report by report; `targets` is the condition on `report_targets`
        /// itself, which a count reads along the targets' index instead (a page's worth of matches is
        /// found within a few hundred reports; a count's thousand would take tens of thousands).
        case many(SQLQueryString, targets: SQLQueryString)

        var condition: SQLQueryString {
            switch self {
            case .few(let condition), .many(let condition, _): condition
            }
        }
    }
}
