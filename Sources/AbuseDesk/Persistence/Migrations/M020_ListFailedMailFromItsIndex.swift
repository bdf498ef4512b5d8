import Fluent
import SQLKit

/// PostgreSQL lists the e-mails that failed for good from an index of their own. Its planner takes the
/// conditions that make an e-mail failed (not sent, failed, tried) as independent and estimates one such
/// e-mail where there are thousands; with the index of the tried ones (M015) it then judged reading the
/// unsent e-mails and sorting them cheaper than reading the tried ones in order and skipping those still
/// retried (at a million reports, 2,000 failed e-mails read and sorted for a page of fifty: 7.8 ms). An
/// index whose condition is exactly "failed" holds nothing to skip, so it is the cheapest under any
/// estimate: a page and its count from the index alone (0.05 and 0.3 ms). SQLite is told which index to
/// read (`OutboxReader`), and reads M015's.
struct M020_ListFailedMailFromItsIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        guard sql.dialect.name != "sqlite" else { return }
        try await sql.raw("""
            CREATE INDEX outbox_messages_failed ON outbox_messages (created_at, id) INCLUDE (attempts)
            WHERE sent_at IS NULL AND failed_at IS NOT NULL
            """).run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        try await sql.raw("DROP INDEX IF EXISTS outbox_messages_failed").run()
    }
}
