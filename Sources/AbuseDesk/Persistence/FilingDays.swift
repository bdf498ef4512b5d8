import Foundation
import SQLKit

/// Where a page by its number deep into a list in filing order begins, from the reports the database
/// counts per filing day (M018): the day holding the page's first report, and how many of the list's
/// reports come before that day. The page then skips only that day's reports before it, not every
/// report from the list's start (a running sum over a row per day, not a step per report).
struct FilingDays {
    /// The lists whose days are counted.
    enum List {
        /// Every report (the operators' queue, unfiltered).
        case queue
        /// The reports routed to an account that it sees (not denied): its customer list, unfiltered.
        case routed(accountID: String)
        /// The reports an account submitted, unfiltered.
        case submitted(accountID: String)

        fileprivate var key: (accountID: String, side: String) {
            switch self {
            case .queue: ("", "queue")
            case .routed(let id): (id, "routed")
            case .submitted(let id): (id, "submitted")
            }
        }
    }

    let sql: any SQLDatabase

    /// A page starting this far into a list is found from its day; nearer the start, skipping the reports
    /// before it costs less than summing the days.
    static let countedFrom = 1_000

    /// The condition on `reports.created_at` that starts `list` at the day holding its report number
    /// `offset` (counted from the newest when `descending`), and how many of its reports lie before that
    /// day; nil when the list holds no more than `offset`.
    func start(of list: List, at offset: Int, descending: Bool) async throws -> (condition: SQLQueryString, before: Int)? {
        let found = try await sql.rows(startQuery(of: list, at: offset, descending: descending), plan: .kept)
        guard let row = found.first else { return nil }
        let day = Date(timeIntervalSince1970: Double(try row.integer("day")) * Self.secondsPerDay)
        let condition: SQLQueryString = descending ? "reports.created_at < \(bind: day.addingTimeInterval(Self.secondsPerDay))"
                                                   : "reports.created_at >= \(bind: day)"
        return (condition, try row.integer("before"))
    }

    /// The day of `start(of:at:descending:)` (`day`) and how many reports lie before it (`before`):
    /// the list's days read along their key with a running sum, up to the one day whose reports hold
    /// report number `offset` (no sort: it is the only one, and reading stops there).
    func startQuery(of list: List, at offset: Int, descending: Bool) -> SQLQueryString {
        let key = list.key
        return """
            SELECT day, CAST(running - report_count AS BIGINT) AS before FROM (
              SELECT day, report_count, SUM(report_count) OVER (ORDER BY day
            """ + (descending ? " DESC" : " ASC") + """
             ROWS UNBOUNDED PRECEDING) AS running
              FROM report_days WHERE account_id = \(bind: key.accountID) AND side = \(bind: key.side)) AS days
            WHERE running > \(bind: offset) AND running - report_count <= \(bind: offset) LIMIT 1
            """
    }

    /// How many reports `list` holds (one integer column `n`): its days summed.
    static func totalQuery(of list: List) -> SQLQueryString {
        let key = list.key
        return "SELECT CAST(COALESCE(SUM(report_count), 0) AS BIGINT) AS n FROM report_days WHERE account_id = \(bind: key.accountID)"
            + " AND side = \(bind: key.side)"
    }

    static let secondsPerDay: Double = 86_400
}
