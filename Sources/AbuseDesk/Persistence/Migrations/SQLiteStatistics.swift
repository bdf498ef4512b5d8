import SQLKit

extension SQLDatabase {
    /// Whether SQLite has statistics (`ANALYZE`) of `table`'s indexes. A migration that rebuilds one of
    /// them then gathers the new index's at once, so that the planner weighs it by what it holds beside
    /// the others; a store that has none yet gets them from the service's own upkeep, with the rest.
    func hasSQLiteStatistics(of table: String) async throws -> Bool {
        guard try await count("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'") > 0 else { return false }
        return try await count("SELECT COUNT(*) AS n FROM sqlite_stat1 WHERE tbl = \(bind: table)") > 0
    }
}
