import Fluent
import SQLKit

/// SQLite's indexes of the targets' hosts and addresses carry each target's position in its report
/// after the filing time and the report: a count of the reports a domain or a block names reads their
/// first targets (position 0, one per report) from the index alone, and is done once more than a
/// total needs are found (``QueueReader/countQuery(_:alongTargets:upTo:)``). Counting distinct reports
/// made a temporary B-tree of every target it read, the most of a broad domain's page (0.4 ms of SQL
/// for the 1,051 a total needs, at a million reports; 0.1 without it). PostgreSQL counts its own way.
struct M023_CountATargetsReportsFromItsFirstTarget: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await rebuild(database, withPosition: true)
    }

    func revert(on database: any Database) async throws {
        try await rebuild(database, withPosition: false)
    }

    private func rebuild(_ database: any Database, withPosition: Bool) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        guard sql.dialect.name == "sqlite" else { return }
        let analyzed = try await sql.hasSQLiteStatistics(of: "report_targets")
        for (name, column, _) in M011_TallyByStatementAndListTheRest.targetIndexes {
            try await sql.drop(index: name).run()
            var index = sql.create(index: name).on("report_targets").column(column).column("filed_at").column("report_id")
            if withPosition { index = index.column("position") }
            try await index.run()
            if analyzed { try await sql.raw("ANALYZE \(unsafeRaw: name)").run() }
        }
    }
}
