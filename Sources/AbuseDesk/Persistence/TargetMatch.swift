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

    /// One range of the index that holds the targets of `host` and its subdomains, and of hosts whose
    /// reversed name continues the same way (`com.example-shop`): a count of it is at least theirs.
    func span(of host: HostName) -> SQLQueryString {
        let reversed = host.reversed
        return "(report_targets.host_reversed" + collate + " >= \(bind: reversed) AND report_targets.host_reversed" + collate + " < \(bind: reversed + "/"))"
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
        try await count(matching, upTo: selective) <= selective
            ? .few("reports.id IN (SELECT report_targets.report_id FROM report_targets WHERE \(matching))")
            : .many(eachReport(naming: matching), targets: matching)
    }

    /// Whether a report has a target `matching`, checked report by report.
    func eachReport(naming matching: SQLQueryString) -> SQLQueryString {
        "EXISTS (SELECT 1 FROM report_targets WHERE report_targets.report_id = reports.id AND \(matching))"
    }

    /// How many targets match, counting no further than one past `limit` (from the index alone).
    func count(_ matching: SQLQueryString, upTo limit: Int) async throws -> Int {
        try await sql.rows("""
            SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM report_targets WHERE \(matching) LIMIT \(literal: limit + 1)) AS named
            """).first?.integer("n") ?? 0
    }

    /// Whether more than `limit` targets match: the one past it skipped to along the index (cheaper than
    /// counting up to it).
    func names(_ matching: SQLQueryString, moreThan limit: Int) async throws -> Bool {
        try await !sql.rows("SELECT 1 AS one FROM report_targets WHERE \(matching) LIMIT 1 OFFSET \(literal: limit)").isEmpty
    }

    /// Up to this many matching targets are read in filing order from their index (M012) where nothing
    /// else filters a list that is in filing order: every one of them, from the index alone, to keep a
    /// page's worth (a few milliseconds for twenty thousand; a walk along the reports finds a page of a
    /// larger share sooner).
    static let readInFilingOrder = 20_000

    /// A page of the reports with a target `matching` (but `excluding`), in filing order, newest first
    /// when `descending`: the order of the queue's filing-time index, ties by id. A report with several
    /// matching targets is there once: they are next to one another in this order, and the rows are read
    /// as they are (SQLite's DISTINCT over ten thousand targets cost five times the sort) and the repeats
    /// dropped here, reading further in the rare case that they leave the page short.
    func reportIDs(naming matching: SQLQueryString, excluding: String? = nil, descending: Bool, limit: Int, offset: Int) async throws -> [String] {
        var read = offset + limit + 16
        while true {
            let rows = try await sql.rows(reportIDsQuery(naming: matching, excluding: excluding, descending: descending, read: read))
            var ids: [String] = []
            for row in rows {
                let id = try row.string("id")
                if id != ids.last { ids.append(id) }
            }
            if ids.count >= offset + limit || rows.count < read { return Array(ids.dropFirst(offset).prefix(limit)) }
            read *= 4
        }
    }

    /// The first `read` matching targets' report ids in filing order.
    func reportIDsQuery(naming matching: SQLQueryString, excluding: String? = nil, descending: Bool, read: Int) -> SQLQueryString {
        let direction: SQLQueryString = descending ? " DESC" : " ASC"
        let other: SQLQueryString = excluding.map { " AND report_targets.report_id <> \(bind: $0)" } ?? ""
        return "SELECT report_targets.report_id AS id FROM report_targets WHERE " + matching + other
            + " ORDER BY report_targets.filed_at" + direction + ", report_targets.report_id" + direction + " LIMIT \(literal: read)"
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
