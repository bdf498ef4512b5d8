import Fluent
import SQLKit

/// Whether a report is one an account sees, answered from an index alone. The Accounts API's lists find
/// a report by its id within the account's (a domain's few reports, a page's ids, a report asked for by
/// id) and then ask whether the customer sees it (its status and denial), of which type it is, and when
/// it was filed (the list's order). The index of the account and id (M011) gave the row only: each report
/// was looked up twice, in that index and then in the table (a domain named by 200 of an account's
/// 400,000 reports: 3 ms to list and count them at a million reports; from this index, 0.3 ms). The
/// index replaces that one (it still orders a list by id).
struct M016_SeeAnAccountsReportFromItsIndex: AsyncMigration {
    /// Each side's index: the owner, then the id, then what the lists ask of a report they find by it.
    static let sides: [(name: String, owner: String, replaced: String, only: String)] = [
        ("reports_account_visible", "account_id", "reports_account_id", ""),
        ("reports_submitter_visible", "submitter_account_id", "reports_submitter_id", " WHERE submitter_account_id IS NOT NULL"),
    ]

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        for side in Self.sides {
            try await sql.raw("""
                CREATE INDEX \(unsafeRaw: side.name) ON reports (\(unsafeRaw: side.owner), id, status, denial_reason, report_type, created_at)\(unsafeRaw: side.only)
                """).run()
            try await sql.drop(index: side.replaced).ifExists().run()
        }
        if sql.dialect.name == "sqlite", try await !sql.rows("SELECT 1 AS one FROM reports LIMIT 1").isEmpty {
            // Without statistics of its own, SQLite's planner would guess at the new index beside the
            // others' (M010), from a sample. (An empty store's would say "empty" until the service
            // gathers them again.)
            try await sql.raw("PRAGMA analysis_limit = 2000").run()
            for side in Self.sides { try await sql.raw("ANALYZE \(unsafeRaw: side.name)").run() }
        }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        for side in Self.sides {
            try await sql.raw("CREATE INDEX \(unsafeRaw: side.replaced) ON reports (\(unsafeRaw: side.owner), id)\(unsafeRaw: side.only)").run()
            try await sql.drop(index: side.name).ifExists().run()
        }
    }
}
