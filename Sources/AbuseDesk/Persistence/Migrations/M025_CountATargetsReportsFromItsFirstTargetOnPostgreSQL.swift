import Fluent
import SQLKit

/// PostgreSQL's byte-order indexes of the targets' hosts and addresses carry each target's position in
/// its report, as M023 made SQLite's: a count of the reports a domain or a block names reads their
/// first targets (position 0, one per report) from the index alone and is done once more than a total
/// needs are found (``QueueReader/countQuery(_:alongTargets:upTo:)``). Counting distinct ids read twice
/// a total's targets and hashed them (a /28 at a million reports, 1.3–2 ms of SQL; its first targets, 0.5).
struct M025_CountATargetsReportsFromItsFirstTargetOnPostgreSQL: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await rebuild(database, withPosition: true)
    }

    func revert(on database: any Database) async throws {
        try await rebuild(database, withPosition: false)
    }

    private func rebuild(_ database: any Database, withPosition: Bool) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        guard sql.dialect.name != "sqlite" else { return }
        for (_, column, bytes) in M011_TallyByStatementAndListTheRest.targetIndexes {
            try await sql.raw("DROP INDEX IF EXISTS \(unsafeRaw: bytes)").run()
            try await sql.raw("""
                CREATE INDEX \(unsafeRaw: bytes) ON report_targets (\(unsafeRaw: column) COLLATE "C", filed_at, report_id)\
                \(unsafeRaw: withPosition ? " INCLUDE (position)" : "")
                """).run()
        }
    }
}
