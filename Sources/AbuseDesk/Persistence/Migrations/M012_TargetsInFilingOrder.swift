import Fluent
import SQLKit

/// Every target carries its report's filing time, and the targets' host and address indexes hold it
/// after the host or address: the reports a domain, a block or an address names are read newest first
/// from the index alone — the queue filtered by one of them and a case file's related reports, where a
/// few thousand reports share a target (a /28 of a busy network, a shared host). Before, each of those
/// reports was looked up to be sorted, or the queue was walked until a page of them turned up.
///
/// A report's filing time never changes, and its targets are written once, by the trigger that derives
/// them from the report's row (M001); the trigger now writes the time too.
struct M012_TargetsInFilingOrder: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        try await database.schema("report_targets").field("filed_at", .datetime).update()
        if sql.dialect.name == "sqlite" {
            try await sql.raw("""
                UPDATE report_targets SET filed_at = (SELECT reports.created_at FROM reports WHERE reports.id = report_targets.report_id)
                """).run()
        } else {
            try await sql.raw("UPDATE report_targets SET filed_at = reports.created_at FROM reports WHERE reports.id = report_targets.report_id").run()
        }
        try await Self.indexTargets(on: sql, filed: true)
        for (name, column, bytes) in M011_TallyByStatementAndListTheRest.targetIndexes {
            try await sql.drop(index: name).run()
            try await sql.create(index: name).on("report_targets").column(column).column("filed_at").column("report_id").run()
            if sql.dialect.name != "sqlite" {
                // PostgreSQL's ranges are compared byte by byte (TargetMatch), its equalities in the column's own collation.
                try await sql.raw("DROP INDEX IF EXISTS \(unsafeRaw: bytes)").run()
                try await sql.raw("CREATE INDEX \(unsafeRaw: bytes) ON report_targets (\(unsafeRaw: column) COLLATE \"C\", filed_at, report_id)").run()
            }
        }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        for (name, column, bytes) in M011_TallyByStatementAndListTheRest.targetIndexes {
            try await sql.drop(index: name).ifExists().run()
            try await sql.create(index: name).on("report_targets").column(column).column("report_id").run()
            if sql.dialect.name != "sqlite" {
                try await sql.raw("DROP INDEX IF EXISTS \(unsafeRaw: bytes)").run()
                try await sql.raw("CREATE INDEX \(unsafeRaw: bytes) ON report_targets (\(unsafeRaw: column) COLLATE \"C\", report_id)").run()
            }
        }
        try await Self.indexTargets(on: sql, filed: false)
        try await sql.raw("ALTER TABLE report_targets DROP COLUMN filed_at").run()
    }

    /// The trigger of M001 that derives a report's targets from its row, with or without the filing time.
    static func indexTargets(on sql: any SQLDatabase, filed: Bool) async throws {
        if sql.dialect.name == "sqlite" {
            try await sql.raw("DROP TRIGGER IF EXISTS reports_index_targets").run()
        } else {
            try await sql.raw("DROP FUNCTION IF EXISTS index_report_targets() CASCADE").run()
        }
        try await M001_CreateCoreSchema.indexTargets(on: sql, filed: filed)
    }
}
