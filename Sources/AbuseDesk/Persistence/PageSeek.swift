import SQLKit

/// Reads a list of reports from a page's anchor (`PageAnchor`) along the list's order — a sort key, then
/// the id for ties — as at most two ranges of the sort's index: the rest of the anchor's own key
/// (reports with its key and an id beyond its id), then the keys beyond it. One row-value comparison
/// would say the same, but neither store reads an expression's index by one.
struct PageSeek {
    let sql: any SQLDatabase
    /// The list's FROM and WHERE clause, ending in a condition that more can be ANDed to.
    let from: SQLQueryString
    /// The same for counting, where it differs (free to read any filter's index; `QueueReader.Condition`).
    var countedFrom: SQLQueryString?
    /// The sort key, as the list's query names it; never NULL.
    let key: SQLQueryString
    /// The same key of the report with the id bound into it (a scalar subquery).
    let keyOfReport: @Sendable (String) -> SQLQueryString
    /// The key alone orders the list (it is unique), so no ties are left to the id.
    let keyIsUnique: Bool
    let descending: Bool
    /// Whether PostgreSQL may keep one plan for the seek's statements: when the list's own condition has
    /// no values, only the anchor's, each range is read from the sort's index whatever the anchor.
    var plan: StatementPlan = .perValue

    /// A list of `reports` sorted by `key` (never NULL): the anchor's key is read by the same expression.
    /// A removed anchor has no key, so nothing is beyond it and its page is left to its number.
    init(sql: any SQLDatabase, from: SQLQueryString, key: SQLQueryString, keyIsUnique: Bool = false, descending: Bool) {
        self.init(sql: sql, from: from, key: key, keyOfReport: { id in "(SELECT " + key + " FROM reports WHERE reports.id = \(bind: id))" },
                  keyIsUnique: keyIsUnique, descending: descending)
    }

    init(sql: any SQLDatabase, from: SQLQueryString, key: SQLQueryString, keyOfReport: @escaping @Sendable (String) -> SQLQueryString,
         keyIsUnique: Bool = false, descending: Bool) {
        self.sql = sql
        self.from = from
        self.key = key
        self.keyOfReport = keyOfReport
        self.keyIsUnique = keyIsUnique
        self.descending = descending
    }

    /// The ids of up to `limit` reports next to the anchor, in the list's order: those after an `after`
    /// anchor, or the last `limit` before a `before` one.
    func ids(next anchor: PageAnchor, limit: Int) async throws -> [String] {
        var ids: [String] = []
        for part in parts(anchor, ascending: (anchor.side == .after) != descending, inclusive: false) where ids.count < limit {
            ids += try await sql.rows(query(part, limit: limit - ids.count), plan: plan).map { try $0.string("id") }
        }
        return anchor.side == .after ? ids : ids.reversed()
    }

    /// The queries `ids(next:limit:)` runs, each reading `limit` (for a look at their plans).
    func queries(next anchor: PageAnchor, limit: Int) -> [SQLQueryString] {
        parts(anchor, ascending: (anchor.side == .after) != descending, inclusive: false).map { query($0, limit: limit) }
    }

    private func query(_ part: (condition: SQLQueryString, order: SQLQueryString), limit: Int) -> SQLQueryString {
        "SELECT reports.id AS id" + from + " AND " + part.condition + " ORDER BY " + part.order + " LIMIT \(literal: limit)"
    }

    /// The statement (one integer column `n`) that counts how many reports the list holds from the
    /// page's start on — after an `after` anchor, or from a `before` anchor itself (the page after the
    /// one asked for) on — in one round trip: each range up to `limit`, summed (more than `limit` means
    /// at least `limit`).
    func countQuery(from anchor: PageAnchor, limit: Int) -> SQLQueryString {
        let counts: [SQLQueryString] = parts(anchor, ascending: !descending, inclusive: anchor.side == .before).map { part in
            "(SELECT COUNT(*) FROM (SELECT 1 AS one" + (countedFrom ?? from) + " AND " + part.condition + " LIMIT \(literal: limit)) AS beyond)"
        }
        return "SELECT " + counts.joined(separator: " + ") + " AS n"
    }

    /// The two ranges beyond the anchor when reading in `ascending` order, each with its order.
    private func parts(_ anchor: PageAnchor, ascending: Bool, inclusive: Bool) -> [(condition: SQLQueryString, order: SQLQueryString)] {
        func beyond(orAt: Bool) -> SQLQueryString { SQLQueryString(" " + (ascending ? ">" : "<") + (orAt ? "=" : "") + " ") }
        let direction: SQLQueryString = ascending ? " ASC" : " DESC"
        let anchorKey = keyOfReport(anchor.id)
        let rest: (SQLQueryString, SQLQueryString) = (
            "(" + key + " = " + anchorKey + " AND reports.id" + beyond(orAt: inclusive) + "\(bind: anchor.id))",
            "reports.id" + direction)
        let further: (SQLQueryString, SQLQueryString) = (
            "(" + key + beyond(orAt: keyIsUnique && inclusive) + anchorKey + ")",
            key + direction + (keyIsUnique ? "" : ", reports.id" + direction))
        return keyIsUnique ? [further] : [rest, further]
    }
}

extension PageRequest {
    /// The SELECT (from its columns on) of this page of the reports `from` (a FROM and WHERE clause over
    /// `reports`) holds in `order`. With `idsFirst`, the page's ids are sorted and skipped alone and only
    /// its own rows read after: a store would otherwise compute the columns of every report it sorts
    /// (SQLite, looking up each one's subqueries) or skips (PostgreSQL). `skipping` says how many of
    /// `from` lie before the page, where `from` starts later than the list (`FilingDays`).
    func ofReports(_ columns: SQLQueryString, from: SQLQueryString, order: SQLQueryString, idsFirst: Bool, skipping: Int? = nil) -> SQLQueryString {
        let limit: SQLQueryString = " LIMIT \(literal: size) OFFSET \(literal: skipping ?? offset)"
        guard idsFirst else { return columns + from + order + limit }
        return columns + " FROM reports WHERE reports.id IN (SELECT reports.id" + from + order + limit + ")" + order
    }
}
