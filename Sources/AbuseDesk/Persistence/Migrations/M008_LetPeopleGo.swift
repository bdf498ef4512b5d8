import Fluent
import SQLKit

/// A team and a customer base change: an operator can be disabled (`operators.disabled_at`: their
/// sessions and tokens are refused at once), an operator's token expires (`api_tokens.expires_at`), and
/// an account can be closed (`accounts.closed_at`: its reports stay, it routes nothing more).
struct M008_LetPeopleGo: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("operators").field("disabled_at", .datetime).update()
        try await database.schema("api_tokens").field("expires_at", .datetime).update()
        try await database.schema("accounts").field("closed_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("operators").deleteField("disabled_at").update()
        try await database.schema("api_tokens").deleteField("expires_at").update()
        try await database.schema("accounts").deleteField("closed_at").update()
    }
}
