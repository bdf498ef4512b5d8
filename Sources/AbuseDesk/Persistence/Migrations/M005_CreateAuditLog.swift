import AbuseDeskCore
import Fluent
import SQLKit

/// The audit log: entries chained by hashes (see `AuditEntry`), and one row holding the chain's head —
/// the last sequence number and hash — that every append updates first, so that appends queue behind
/// each other on both stores and removing the newest entries shows too.
struct M005_CreateAuditLog: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("audit_entries")
            .field("sequence", .int64, .identifier(auto: false))
            .field("occurred_at", .datetime, .required)
            .field("actor", .string, .required)
            .field("subject_type", .string, .required)
            .field("subject_id", .string, .required)
            .field("action", .string, .required)
            .field("before_state", .string, .required)
            .field("after_state", .string, .required)
            .field("previous_hash", .string, .required)
            .field("hash", .string, .required)
            .create()
        try await database.schema("audit_head")
            .field("id", .int64, .identifier(auto: false))
            .field("sequence", .int64, .required)
            .field("hash", .string, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        try await sql.create(index: "audit_entries_subject").on("audit_entries").column("subject_type").column("subject_id").column("sequence").run()
        try await sql.insert(into: "audit_head").columns("id", "sequence", "hash").values(SQLBind(1), SQLBind(0), SQLBind(AuditEntry.genesisHash)).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("audit_head").delete()
        try await database.schema("audit_entries").delete()
    }
}
