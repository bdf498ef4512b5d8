import Fluent
import SQLKit

/// The outbox: every e-mail the service sends is first a row here, written in the same transaction as
/// the change it tells about, then delivered by the background sender. Nothing is lost when the mail
/// server is down or the process stops; `sent_at` marks what went out.
struct M002_CreateOutbox: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("outbox_messages")
            .field("id", .string, .identifier(auto: false))
            .field("report_id", .string, .references("reports", "id", onDelete: .setNull))
            // The account a customer e-mail was sent to, so that its list shows only its own.
            .field("account_id", .string, .references("accounts", "id", onDelete: .setNull))
            .field("audience", .string, .required)
            .field("recipient", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("created_at", .datetime, .required)
            .field("next_attempt_at", .datetime, .required)
            .field("attempts", .int, .required)
            .field("last_error", .string)
            .field("sent_at", .datetime)
            .create()
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        try await sql.create(index: "outbox_messages_due").on("outbox_messages").column("sent_at").column("next_attempt_at").run()
        try await sql.create(index: "outbox_messages_report").on("outbox_messages").column("report_id").column("audience").run()
        try await sql.create(index: "outbox_messages_account").on("outbox_messages").column("account_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("outbox_messages").delete()
    }
}
