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
    /// Where the counts that choose a plan are remembered, if anywhere.
    var hints: PlanHints? = nil
    private var isSQLite: Bool { sql.dialect.name == "sqlite" }
    private var collate: SQLQueryString { isSQLite ? "" : " COLLATE \"C\"" }

    /// Targets whose host is `host` or one of its subdomains: `com.example` itself, and everything from
    /// `com.example.` up to `com.example/` (the character after the dot) — read as the one range of
    /// ``span(of:)``, the namesakes in it (`com.example-shop`) left out by a check of each entry, so that
    /// the index alone answers (PostgreSQL read two ranges as a bitmap of table rows: a domain of 20,000
    /// targets took 20 ms to order, 5 ms this way).
    func host(_ host: HostName) -> SQLQueryString {
        let reversed = host.reversed
        let name: SQLQueryString = "report_targets.host_reversed" + collate
        return "(" + span(of: host) + " AND (" + name + " = \(bind: reversed) OR " + name + " > \(bind: reversed + ".")))"
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

    /// How many targets match, counting no further than one past `limit` (from the index alone; a plan's
    /// count, so remembered in ``hints``).
    func count(_ matching: SQLQueryString, upTo limit: Int) async throws -> Int {
        try await sql.count("""
            SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM report_targets WHERE \(matching) LIMIT \(literal: limit + 1)) AS named
            """, hints: hints)
    }

    /// Whether more than `limit` targets match: the one past it skipped to along the index (cheaper than
    /// counting up to it; a plan's question, so remembered in ``hints``).
    func names(_ matching: SQLQueryString, moreThan limit: Int) async throws -> Bool {
        try await sql.count("""
            SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM report_targets WHERE \(matching) LIMIT 1 OFFSET \(literal: limit)) AS beyond
            """, hints: hints) > 0
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
        try await readingDistinct(offset: offset, limit: limit) { read in
            reportIDsQuery(naming: matching, excluding: excluding, descending: descending, read: read)
        }
    }

    /// The first `read` matching targets' report ids in filing order.
    func reportIDsQuery(naming matching: SQLQueryString, excluding: String? = nil, descending: Bool, read: Int) -> SQLQueryString {
        let direction: SQLQueryString = descending ? " DESC" : " ASC"
        let other: SQLQueryString = excluding.map { " AND report_targets.report_id <> \(bind: $0)" } ?? ""
        return "SELECT report_targets.report_id AS id FROM report_targets WHERE " + matching + other
            + " ORDER BY report_targets.filed_at" + direction + ", report_targets.report_id" + direction + " LIMIT \(literal: read)"
    }

    /// One host or address of the targets' indexes (M012): its targets are in filing order there.
    struct Key: Sendable, Hashable {
        enum Column: String, Sendable { case host = "host_reversed", address = "ip_key" }
        let column: Column
        let value: String
    }

    /// Up to this many hosts or addresses are read each in filing order and merged, where a page is
    /// near the start: a few index entries per page for each, however many targets they have.
    static let mergedKeys = 32
    /// Pages that end within this many reports are merged from their keys; deeper ones read the range.
    static let mergedDepth = 1_000

    /// The hosts `host` and its subdomains are that targets name, each found by skipping from one to
    /// the next along its index; or the addresses of `block` (nothing to look up). Nil when there are
    /// more than `limit` (for a block, when it holds more addresses).
    func keys(host: HostName? = nil, block: Netblock? = nil, upTo limit: Int) async throws -> [Key]? {
        if let block {
            // Index keys are fixed-width hexadecimal: a block within one last byte is a run of them.
            let first = block.address.indexKey, last = block.lastAddress.indexKey
            guard first.dropLast(2) == last.dropLast(2), let low = UInt8(first.suffix(2), radix: 16),
                  let high = UInt8(last.suffix(2), radix: 16), Int(high) - Int(low) < limit else { return nil }
            return (low...high).map { byte in Key(column: .address, value: first.dropLast(2) + [byte].hexString) }
        }
        guard let host else { return [] }
        // That a domain has more hosts than `limit` is remembered in ``hints``: it only sends the list to
        // another plan. (Which hosts it has is not: a new one would be missing.)
        let query = hostsQuery(from: host.reversed, upTo: limit)
        if let known = hints?.recall(query, on: sql), known > limit { return nil }
        // Each step seeks the next host along the index, whatever the domain: one plan for every value.
        let values = try await sql.rows(query, plan: .kept).map { try $0.string("k") }
        guard values.count <= limit else {
            hints?.remember(values.count, of: query, on: sql)
            return nil
        }
        return values.filter { $0 == host.reversed || $0.hasPrefix(host.reversed + ".") }.map { Key(column: .host, value: $0) }
    }

    /// The distinct hosts from `reversed` up to the character after its last dot (its siblings, such as
    /// `com.example-shop`, too), one past `limit` at most: each the smallest above the one before, found
    /// along the hosts' index.
    func hostsQuery(from reversed: String, upTo limit: Int) -> SQLQueryString {
        let name: SQLQueryString = "report_targets.host_reversed" + collate
        // The smallest host past `from` (SQLite reads min() from the index; PostgreSQL an ordered LIMIT 1).
        func smallest(_ from: SQLQueryString) -> SQLQueryString {
            "SELECT " + (isSQLite ? "min(" + name + ")" : name) + " FROM report_targets WHERE " + name + from + " AND " + name
                + " < \(bind: reversed + "/")" + (isSQLite ? "" : " ORDER BY " + name + " LIMIT 1")
        }
        let first = smallest(" >= \(bind: reversed)"), next = smallest(" > keys.k")
        // SQLite stops the recursion at its own LIMIT; PostgreSQL reads a recursive query only as far as asked.
        return "WITH RECURSIVE keys(k) AS (" + (isSQLite ? first : "(" + first + ")") + " UNION ALL SELECT (" + next + ") FROM keys WHERE keys.k IS NOT NULL"
            + (isSQLite ? " LIMIT \(literal: limit + 2))" : ")") + " SELECT k FROM keys WHERE k IS NOT NULL LIMIT \(literal: limit + 1)"
    }

    /// A page of the reports with a target at one of `keys` (but `excluding`), in filing order as
    /// ``reportIDs(naming:excluding:descending:limit:offset:)`` gives it: each key's first targets in its
    /// own index's order, merged.
    func reportIDs(at keys: [Key], excluding: String? = nil, descending: Bool, limit: Int, offset: Int) async throws -> [String] {
        guard !keys.isEmpty else { return [] }
        // Each key read from its own index in its order, whichever the key: one plan for every value.
        return try await readingDistinct(offset: offset, limit: limit, plan: .kept) { read in
            reportIDsQuery(at: keys, excluding: excluding, descending: descending, read: read)
        }
    }

    /// The first `read` targets at `keys` in filing order, merged from each key's own run of its index.
    /// SQLite merges a compound SELECT that is ordered as a whole, each arm read in the order its index
    /// has, a row at a time, as far as the merged LIMIT needs (a /28 read 16 × 66 entries and sorted
    /// them; merged, it reads about 66). PostgreSQL merges the arms' ordered reads itself when each has
    /// its own LIMIT.
    func reportIDsQuery(at keys: [Key], excluding: String? = nil, descending: Bool, read: Int) -> SQLQueryString {
        let direction: SQLQueryString = descending ? " DESC" : " ASC"
        let other: SQLQueryString = excluding.map { " AND report_targets.report_id <> \(bind: $0)" } ?? ""
        let order: SQLQueryString = " ORDER BY filed" + direction + ", id" + direction + " LIMIT \(literal: read)"
        let streams: [SQLQueryString] = keys.enumerated().map { index, key in
            let stream: SQLQueryString = "SELECT report_targets.report_id AS id, report_targets.filed_at AS filed FROM report_targets WHERE report_targets."
                + SQLQueryString(key.column.rawValue) + " = \(bind: key.value)" + other
            return isSQLite ? stream : "SELECT * FROM (" + stream + order + ") AS key\(unsafeRaw: String(index))"
        }
        if isSQLite { return streams.joined(separator: " UNION ALL ") + order }
        return "SELECT merged.id AS id FROM (" + streams.joined(separator: " UNION ALL ") + ") AS merged" + order
    }

    /// The report ids of rows read `read` at a time in filing order: a report named by several of the
    /// targets read is there once (they are next to one another), read further when repeats leave the
    /// page short.
    private func readingDistinct(offset: Int, limit: Int, plan: StatementPlan = .perValue,
                                 _ query: (Int) -> SQLQueryString) async throws -> [String] {
        var read = offset + limit + 16
        while true {
            let rows = try await sql.rows(query(read), plan: plan)
            var ids: [String] = []
            for row in rows {
                let id = try row.string("id")
                if id != ids.last { ids.append(id) }
            }
            if ids.count >= offset + limit || rows.count < read { return Array(ids.dropFirst(offset).prefix(limit)) }
            read *= 4
        }
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

        var isFew: Bool {
            if case .few = self { true } else { false }
        }
    }
}
