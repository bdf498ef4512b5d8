import Fluent
import SQLKit

/// The appeals queue of every status (`GET /admin/v1/appeals` without `status`) in filing order, read
/// from an index of its own: a year's appeals are tens of thousands, sorted on every page before.
struct M013_EveryAppealInFilingOrder: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        try await sql.create(index: "appeals_filed").on("appeals").column("created_at").column("id").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        try await sql.drop(index: "appeals_filed").ifExists().run()
    }
}
