import Fluent
import SQLKit

/// Operators and the bearer tokens of accounts and operators; the mitigations of reports and the
/// customers' appeals against them; and when a report was forwarded to the upstream host.
struct M003_CreateAccessAndMitigations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("operators")
            .field("id", .string, .identifier(auto: false))
            .field("email", .string, .required)
            .field("role", .string, .required)
            .field("password_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "email")
            .create()

        // A token belongs to an account (scopes read, edit) or to an operator (the admin API).
        try await database.schema("api_tokens")
            .field("id", .string, .identifier(auto: false))
            .field("token_hash", .string, .required)
            .field("account_id", .string, .references("accounts", "id", onDelete: .cascade))
            .field("operator_id", .string, .references("operators", "id", onDelete: .cascade))
            .field("scopes", .string, .required)
            .field("name", .string)
            .field("created_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()

        try await database.schema("mitigations")
            .field("id", .string, .identifier(auto: false))
            .field("report_id", .string, .required, .references("reports", "id", onDelete: .cascade))
            .field("account_id", .string, .references("accounts", "id", onDelete: .setNull))
            .field("type", .string, .required)
            .field("entity_type", .string, .required)
            .field("entity_id", .string, .required)
            .field("status", .string, .required)
            .field("effective_date", .datetime, .required)
            .field("statement", .string, .required)
            .field("created_by", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()

        try await database.schema("appeals")
            .field("id", .string, .identifier(auto: false))
            .field("report_id", .string, .required, .references("reports", "id", onDelete: .cascade))
            .field("mitigation_id", .string, .required, .references("mitigations", "id", onDelete: .cascade))
            // One request for review may cover several mitigations; the limit counts requests.
            .field("request_id", .string, .required)
            .field("account_id", .string, .references("accounts", "id", onDelete: .setNull))
            .field("reason", .string, .required)
            .field("details", .string)
            .field("status", .string, .required)
            .field("created_at", .datetime, .required)
            .field("decided_at", .datetime)
            .field("decision_reason", .string)
            .create()

        try await database.schema("reports")
            .field("forwarded_at", .datetime)
            .update()

        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        let indexes: [(name: String, table: String, columns: [String])] = [
            ("api_tokens_account", "api_tokens", ["account_id"]),
            ("api_tokens_operator", "api_tokens", ["operator_id"]),
            ("mitigations_report", "mitigations", ["report_id", "effective_date"]),
            ("mitigations_due", "mitigations", ["status", "effective_date"]),
            ("appeals_report", "appeals", ["report_id", "created_at"]),
            ("appeals_mitigation", "appeals", ["mitigation_id", "status"]),
            ("report_targets_source", "report_targets", ["source"]),
        ]
        for index in indexes {
            var builder = sql.create(index: index.name).on(index.table)
            for column in index.columns { builder = builder.column(column) }
            try await builder.run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("reports").deleteField("forwarded_at").update()
        for table in ["appeals", "mitigations", "api_tokens", "operators"] {
            try await database.schema(table).delete()
        }
    }
}
