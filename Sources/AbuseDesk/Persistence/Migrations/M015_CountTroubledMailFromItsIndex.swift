import Fluent
import SQLKit

/// The e-mails that failed or wait for a retry (every one of them was tried: `attempts > 0`), in filing
/// order, in an index of their own with the columns their lists and counts ask about. The console's
/// navigation counts them on every page, and the mail page lists and counts the failed; read through the
/// index of every unsent e-mail, each one's row was looked up for its attempts or its failure (3 ms for
/// 2,000 of them at a million reports, on every console page; more the longer a mail server is down).
/// SQLite looks a row up for any column its index lacks, even one the index's own condition settles, so
/// the index holds them all.
struct M015_CountTroubledMailFromItsIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        try await sql.raw("""
            CREATE INDEX outbox_messages_retrying ON outbox_messages (created_at, id, failed_at, attempts, sent_at)
            WHERE sent_at IS NULL AND attempts > 0
            """).run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        try await sql.drop(index: "outbox_messages_retrying").ifExists().run()
    }
}
