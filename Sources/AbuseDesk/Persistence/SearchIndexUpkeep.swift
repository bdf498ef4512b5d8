import Fluent
import Foundation
import SQLKit

/// Keeps SQLite's full-text index (M010) in few segments, so a search reads few of them.
///
/// FTS5 writes each transaction's words as a new segment and merges them only four at a time of a size,
/// so a store filed into one report at a time holds fifteen to twenty-five segments; every word searched
/// for is then looked up, and every common word's postings merged, across all of them (at a million
/// reports a phrase of common words cost 3.5 ms in fifteen, 1.3 ms in one). Here segments are merged as
/// soon as two of a size exist (FTS5's `usermerge` of 2, kept in the index's own settings), in steps of
/// ``pagesPerStep`` pages, each its own short write, until nothing is left to merge or ``budget`` is spent:
/// at most one segment of each size remains, rewritten a logarithmic number of times as the store grows,
/// not the whole index on every pass. PostgreSQL merges its GIN index's pending entries by itself.
///
/// Run in the background of `serve` every ``interval`` and by `abusedesk compact-search`; several processes
/// doing it together merge in turn, each step a transaction of its own.
struct SearchIndexUpkeep {
    static let interval: Duration = .seconds(30)
    /// About 256 KiB written per step: the write lock is held for milliseconds, not for the merge.
    static let pagesPerStep = 64
    static let budget: Duration = .seconds(2)

    let database: any Database

    /// Merges until nothing of a size is left to merge or the budget is spent; returns how many steps merged
    /// something (0 on PostgreSQL, or when the index is already compact).
    func compact(budget: Duration = Self.budget) async throws -> Int {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "sqlite" else { return 0 }
        return try await database.withConnection { connection in
            guard let sql = connection as? any SQLDatabase else { throw StoreError.notSQL }
            // The setting lives in the index; written only when it differs, so a pass over a compact index writes nothing.
            if try await sql.count("SELECT COUNT(*) AS n FROM report_search_config WHERE k = 'usermerge' AND v = 2") == 0 {
                try await sql.raw("INSERT INTO report_search (report_search, rank) VALUES ('usermerge', 2)").run()
            }
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: budget)
            var steps = 0
            while clock.now < deadline {
                let before = try await sql.count("SELECT total_changes() AS n")
                try await sql.raw("INSERT INTO report_search (report_search, rank) VALUES ('merge', \(literal: Self.pagesPerStep))").run()
                // FTS5's own sign that a merge step found nothing to do: fewer than two rows changed.
                guard try await sql.count("SELECT total_changes() AS n") - before >= 2 else { break }
                steps += 1
            }
            return steps
        }
    }

    /// How many segments the index is in now (SQLite; nil on PostgreSQL).
    func segments() async throws -> Int? {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "sqlite" else { return nil }
        return try await sql.count("SELECT COUNT(DISTINCT segid) AS n FROM report_search_idx")
    }
}
