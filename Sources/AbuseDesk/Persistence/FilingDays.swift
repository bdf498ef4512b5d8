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

        /// The condition on `report_days` of the list's days. Everything but an account's id is written
        /// out: with the queue's key bound, PostgreSQL's plan for any key was estimated dearer than its plan
        /// for this one, so it planned the statement anew each time it ran (0.44 ms of planning for 0.47 of
        /// running, for a page 2,000 deep and its total).
        fileprivate var days: SQLQueryString {
            switch self {
            case .queue: "account_id = '' AND side = 'queue'"
            case .routed(let id): "account_id = \(bind: id) AND side = 'routed'"
            case .submitted(let id): "account_id = \(bind: id) AND side = 'submitted'"
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
        "SELECT day, CAST(running - report_count AS BIGINT) AS before FROM ("
            + "SELECT day, report_count, SUM(report_count) OVER (ORDER BY day" + (descending ? " DESC" : " ASC") + " ROWS UNBOUNDED PRECEDING) AS running"
            + " FROM report_days WHERE " + list.days + ") AS days"
            + " WHERE running > \(bind: offset) AND running - report_count <= \(bind: offset) LIMIT 1"
    }

    /// How many reports `list` holds (one integer column `n`): its days summed.
    static func totalQuery(of list: List) -> SQLQueryString {
        "SELECT CAST(COALESCE(SUM(report_count), 0) AS BIGINT) AS n FROM report_days WHERE " + list.days
    }

    static let secondsPerDay: Double = 86_400
}
