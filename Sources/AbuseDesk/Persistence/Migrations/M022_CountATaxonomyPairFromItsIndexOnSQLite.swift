import Fluent
import SQLKit

/// SQLite counts the queue's reports of two of type, threat and incident type from one index alone, as
/// PostgreSQL does since M021: the threat's and the incident type's indexes now hold the other two
/// columns before the id. A count of `NETWORK` reports about an `IP Address` (up to the 1,051 a page's
/// total needs) looked each entry of the threat's index up in the table (0.35–0.5 ms at a million
/// reports); from the index alone, 0.05 ms. SQLite has no columns an index carries outside its key, so
/// they are keys: the type's index keeps its order of type and id, which the queue's sort by type reads.
struct M022_CountATaxonomyPairFromItsIndexOnSQLite: AsyncMigration {
    /// M021's indexes but the type's, whose order the sort by type reads.
    private static let indexes = M021_CountATaxonomyPairFromItsIndex.indexes.filter { $0.column != "report_type" }

    func prepare(on database: any Database) async throws {
        try await rebuild(database, carrying: true)
    }

    func revert(on database: any Database) async throws {
        try await rebuild(database, carrying: false)
    }

    private func rebuild(_ database: any Database, carrying: Bool) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        guard sql.dialect.name == "sqlite" else { return }
        let analyzed = try await sql.hasSQLiteStatistics(of: "reports")
        for index in Self.indexes {
            try await M021_CountATaxonomyPairFromItsIndex.recreate(index, carrying: carrying, on: sql)
            if analyzed { try await sql.raw("ANALYZE \(unsafeRaw: index.name)").run() }
        }
    }
}
