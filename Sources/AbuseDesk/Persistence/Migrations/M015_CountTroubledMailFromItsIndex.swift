import Fluent
import SQLKit

/// The console's navigation counts the e-mails that failed or wait for a retry on every page. Read through
/// the index of unsent e-mails, each one's row was looked up for its attempts (3 ms for 2,000 of them at
/// a million reports, on every console page; more the longer a mail server is down); this index holds
/// exactly those e-mails, with the columns the count asks about (SQLite looks a row up for any column its
/// index lacks, even one the index's own condition settles), so they are counted from it alone.
struct M015_CountTroubledMailFromItsIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        try await sql.raw("CREATE INDEX outbox_messages_retrying ON outbox_messages (attempts, sent_at) WHERE sent_at IS NULL AND attempts > 0").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        try await sql.drop(index: "outbox_messages_retrying").ifExists().run()
    }
}
