import Fluent
import SQLKit

/// What the operator console needs: who works a report (`assigned_to`), where it was forwarded
/// (`forwarded_to`), the operators' signed-in sessions, and messages the sender gave up on (`failed_at`).
struct M006_CreateConsole: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column at a time.
        try await database.schema("reports").field("assigned_to", .string).update()
        try await database.schema("reports").field("forwarded_to", .string).update()
        try await database.schema("outbox_messages")
            .field("failed_at", .datetime)
            .update()
        // A session is found by the SHA-256 of the secret in the operator's cookie; its CSRF token is
        // the one every form of the console must carry back.
        try await database.schema("operator_sessions")
            .field("id", .string, .identifier(auto: false))
            .field("operator_id", .string, .required, .references("operators", "id", onDelete: .cascade))
            .field("csrf_token", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        try await sql.create(index: "reports_assigned_created").on("reports").column("assigned_to").column("created_at").run()
        try await sql.create(index: "operator_sessions_expiry").on("operator_sessions").column("expires_at").run()
        try await sql.create(index: "outbox_messages_created").on("outbox_messages").column("created_at").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        try await sql.drop(index: "reports_assigned_created").run()
        try await sql.drop(index: "outbox_messages_created").run()
        try await database.schema("operator_sessions").delete()
        try await database.schema("outbox_messages").deleteField("failed_at").update()
        try await database.schema("reports").deleteField("assigned_to").update()
        try await database.schema("reports").deleteField("forwarded_to").update()
    }
}
