import Fluent
import SQLKit

/// What several processes on one store need to agree on (SPEC 10):
///
/// - An e-mail is claimed before it is sent: `claimed_by` names the process, `claimed_until` ends its
///   lease, `taken_over_from` the process whose lease had run out when another claimed it. The claim
///   reads due messages in filing order: an index of the unsent ones in that order.
/// - `store_versions` counts the changes of what routes a report: every statement that changes an
///   account's domains or netblocks adds one to the `routing` row (a trigger, so no path can forget
///   it), and each process compares it with the version its routing table was built from.
/// - An upload's bytes are kept in the store (`attachment_contents`), where every process reads them.
struct M014_SeveralServersOnOneStore: AsyncMigration {
    static let routingTables = ["account_domains", "account_netblocks"]

    func prepare(on database: any Database) async throws {
        // SQLite adds one column per statement.
        try await database.schema("outbox_messages").field("claimed_by", .string).update()
        try await database.schema("outbox_messages").field("claimed_until", .datetime).update()
        try await database.schema("outbox_messages").field("taken_over_from", .string).update()
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        try await sql.raw("""
            CREATE INDEX outbox_messages_unsent ON outbox_messages (created_at, id) WHERE sent_at IS NULL AND failed_at IS NULL
            """).run()

        try await database.schema("store_versions")
            .field("name", .string, .identifier(auto: false))
            .field("version", .int64, .required)
            .create()
        try await sql.insert(into: "store_versions").columns("name", "version").values(SQLBind("routing"), SQLBind(1)).run()
        if sql.dialect.name == "sqlite" {
            for table in Self.routingTables {
                for event in ["INSERT", "UPDATE", "DELETE"] {
                    try await sql.raw("""
                        CREATE TRIGGER \(unsafeRaw: table)_routing_\(unsafeRaw: event.lowercased()) AFTER \(unsafeRaw: event) ON \(unsafeRaw: table)
                        BEGIN UPDATE store_versions SET version = version + 1 WHERE name = 'routing'; END
                        """).run()
                }
            }
        } else {
            try await sql.raw("""
                CREATE FUNCTION routing_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  UPDATE store_versions SET version = version + 1 WHERE name = 'routing';
                  RETURN NULL;
                END $$
                """).run()
            for table in Self.routingTables {
                try await sql.raw("""
                    CREATE TRIGGER \(unsafeRaw: table)_routing AFTER INSERT OR UPDATE OR DELETE ON \(unsafeRaw: table)
                    FOR EACH STATEMENT EXECUTE FUNCTION routing_changed()
                    """).run()
            }
        }

        try await database.schema("attachment_contents")
            .field("attachment_id", .string, .identifier(auto: false), .references("attachments", "id", onDelete: .cascade))
            .field("bytes", .data, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        try await database.schema("attachment_contents").delete()
        if sql.dialect.name == "sqlite" {
            for table in Self.routingTables {
                for event in ["insert", "update", "delete"] { try await sql.raw("DROP TRIGGER \(unsafeRaw: table)_routing_\(unsafeRaw: event)").run() }
            }
        } else {
            for table in Self.routingTables { try await sql.raw("DROP TRIGGER \(unsafeRaw: table)_routing ON \(unsafeRaw: table)").run() }
            try await sql.raw("DROP FUNCTION routing_changed()").run()
        }
        try await database.schema("store_versions").delete()
        try await sql.drop(index: "outbox_messages_unsent").run()
        for column in ["claimed_by", "claimed_until", "taken_over_from"] {
            try await database.schema("outbox_messages").deleteField(.key(FieldKey(stringLiteral: column))).update()
        }
    }
}
