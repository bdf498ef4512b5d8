import Fluent
import SQLKit

/// What a stranger may make the service do is bounded per address, and the bounds are counted in the
/// store so that every process sees the same numbers:
///
/// - `outbox_messages.receipt_to`: the lower-cased address of a reporter's receipt (NULL for every other
///   e-mail), so that receipts to one address in the last hour are an index range;
/// - `attachments.uploaded_by`: the client address an upload came from, so that its unclaimed uploads of
///   the last hour can be summed against its quota.
struct M007_BoundWhatStrangersMayCost: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("outbox_messages").field("receipt_to", .string).update()
        try await database.schema("attachments").field("uploaded_by", .string).update()
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        try await sql.create(index: "outbox_messages_receipts").on("outbox_messages").column("receipt_to").column("created_at").run()
        try await sql.create(index: "attachments_uploader").on("attachments").column("uploaded_by").column("created_at").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        try await sql.drop(index: "outbox_messages_receipts").run()
        try await sql.drop(index: "attachments_uploader").run()
        try await database.schema("outbox_messages").deleteField("receipt_to").update()
        try await database.schema("attachments").deleteField("uploaded_by").update()
    }
}
