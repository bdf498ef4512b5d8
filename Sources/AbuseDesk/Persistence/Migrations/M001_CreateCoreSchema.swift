import Fluent
import SQLKit

/// Accounts with their domains and netblocks, reports with their targets and attachments, and the
/// idempotency keys of the Report Abuse API.
///
/// Targets are kept as JSON in the report's row (in the reporter's order, for display) and indexed one
/// row per URL or address in `report_targets` — the host, the host reversed label by label and a
/// fixed-width address key — so that "reports about this domain, host or address range" are index scans
/// (the reversed host serves exact hosts and whole domains alike, so the host itself needs no index).
struct M001_CreateCoreSchema: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("accounts")
            .field("id", .string, .identifier(auto: false))
            .field("name", .string, .required)
            .field("abuse_email", .string)
            .field("created_at", .datetime, .required)
            .create()

        try await database.schema("account_domains")
            .field("id", .string, .identifier(auto: false))
            .field("account_id", .string, .required, .references("accounts", "id", onDelete: .cascade))
            .field("domain", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "domain")
            .create()

        try await database.schema("account_netblocks")
            .field("id", .string, .identifier(auto: false))
            .field("account_id", .string, .required, .references("accounts", "id", onDelete: .cascade))
            .field("cidr", .string, .required)
            .field("first_address", .string, .required)
            .field("last_address", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "cidr")
            .create()

        try await database.schema("reports")
            .field("id", .string, .identifier(auto: false))
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("channel", .string, .required)
            .field("status", .string, .required)
            .field("denial_reason", .string)
            .field("report_type", .string, .required)
            .field("threat_type", .string)
            .field("incident_type", .string)
            .field("attack_method", .string)
            .field("incident_at", .datetime)
            .field("incident_date", .string)
            .field("incident_time", .string)
            .field("incident_time_zone", .string)
            .field("severity", .string)
            .field("reporter_name", .string, .required)
            .field("reporter_email", .string, .required)
            .field("reporter_phone", .string)
            .field("reporter_org", .string)
            .field("anonymize", .bool, .required)
            .field("notes", .string, .required)
            .field("original_work", .string)
            .field("domain", .string)
            .field("account_id", .string, .references("accounts", "id", onDelete: .setNull))
            .field("routing", .string, .required)
            .field("submitter_account_id", .string, .references("accounts", "id", onDelete: .setNull))
            .field("target_count", .int, .required)
            .field("targets", .string, .required)
            .field("details", .string, .required)
            .create()

        try await database.schema("report_targets")
            .field("id", .int64, .identifier(auto: true))
            .field("report_id", .string, .required, .references("reports", "id", onDelete: .cascade))
            .field("position", .int, .required)
            .field("kind", .string, .required)
            .field("source", .string, .required)
            .field("source_port", .int)
            .field("host", .string)
            .field("host_reversed", .string)
            .field("ip_key", .string)
            .field("destination_ip", .string)
            .field("destination_port", .int)
            .field("destination_url", .string)
            .create()

        try await database.schema("attachments")
            .field("id", .string, .identifier(auto: false))
            .field("name", .string, .required)
            .field("size", .int64, .required)
            .field("sha256", .string, .required)
            .field("media_type", .string, .required)
            .field("created_at", .datetime, .required)
            .field("report_id", .string, .references("reports", "id", onDelete: .cascade))
            .create()

        try await database.schema("idempotency_keys")
            .field("key", .string, .identifier(auto: false))
            .field("request_hash", .string, .required)
            .field("status", .int, .required)
            .field("response", .string, .required)
            .field("created_at", .datetime, .required)
            .create()

        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        try await Self.indexTargets(on: sql)
        let indexes: [(name: String, table: String, columns: [String])] = [
            ("reports_account_created", "reports", ["account_id", "created_at"]),
            ("reports_submitter_created", "reports", ["submitter_account_id", "created_at"]),
            ("reports_created", "reports", ["created_at"]),
            ("reports_status_created", "reports", ["status", "created_at"]),
            ("report_targets_report", "report_targets", ["report_id", "position"]),
            ("report_targets_host_reversed", "report_targets", ["host_reversed"]),
            ("report_targets_ip_key", "report_targets", ["ip_key"]),
            ("account_domains_account", "account_domains", ["account_id"]),
            ("account_netblocks_account", "account_netblocks", ["account_id"]),
            ("attachments_report", "attachments", ["report_id"]),
            ("attachments_created", "attachments", ["created_at"]),
            ("idempotency_keys_created", "idempotency_keys", ["created_at"]),
        ]
        for index in indexes {
            var builder = sql.create(index: index.name).on(index.table)
            for column in index.columns { builder = builder.column(column) }
            try await builder.run()
        }
    }

    /// A report's targets are written once, as JSON in its row; the database itself derives the indexed
    /// `report_targets` rows, so that filing a batch of reports is one statement. Since M012 (`filed`)
    /// each carries the report's filing time.
    static func indexTargets(on sql: any SQLDatabase, filed: Bool = false) async throws {
        let columns = "report_id, position, kind, source, source_port, host, host_reversed, ip_key, destination_ip, destination_port, destination_url"
            + (filed ? ", filed_at" : "")
        let filedAt = filed ? ", NEW.created_at" : ""
        if sql.dialect.name == "sqlite" {
            try await sql.raw("""
                CREATE TRIGGER reports_index_targets AFTER INSERT ON reports BEGIN
                  INSERT INTO report_targets (\(unsafeRaw: columns))
                  SELECT NEW.id, CAST(key AS INTEGER), json_extract(value, '$.kind'), json_extract(value, '$.source'),
                         json_extract(value, '$.sourcePort'), json_extract(value, '$.host'), json_extract(value, '$.hostReversed'),
                         json_extract(value, '$.ipKey'), json_extract(value, '$.destinationIp'),
                         json_extract(value, '$.destinationPort'), json_extract(value, '$.destinationUrl')\(unsafeRaw: filedAt)
                  FROM json_each(NEW.targets);
                END
                """).run()
        } else {
            try await sql.raw("""
                CREATE FUNCTION index_report_targets() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  INSERT INTO report_targets (\(unsafeRaw: columns))
                  SELECT NEW.id, t.position - 1, t.value->>'kind', t.value->>'source', (t.value->>'sourcePort')::bigint,
                         t.value->>'host', t.value->>'hostReversed', t.value->>'ipKey', t.value->>'destinationIp',
                         (t.value->>'destinationPort')::bigint, t.value->>'destinationUrl'\(unsafeRaw: filedAt)
                  FROM jsonb_array_elements(NEW.targets::jsonb) WITH ORDINALITY AS t(value, position);
                  RETURN NULL;
                END $$
                """).run()
            try await sql.raw("""
                CREATE TRIGGER reports_index_targets AFTER INSERT ON reports
                FOR EACH ROW EXECUTE FUNCTION index_report_targets()
                """).run()
        }
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase, sql.dialect.name != "sqlite" {
            try await sql.raw("DROP FUNCTION IF EXISTS index_report_targets() CASCADE").run()
        }
        for table in ["idempotency_keys", "attachments", "report_targets", "reports", "account_netblocks", "account_domains", "accounts"] {
            try await database.schema(table).delete()
        }
    }
}
