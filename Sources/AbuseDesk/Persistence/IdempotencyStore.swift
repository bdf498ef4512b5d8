import Fluent
import Foundation
import SQLKit

/// Reads and expires the answers remembered for `Idempotency-Key` headers (they are written by
/// ``ReportWriter`` in the transaction that files the reports).
struct IdempotencyStore: Sendable {
    /// The first answer for this key within the window; throws if the key came with a different request.
    func previousAnswer(for key: ReportIntake.IdempotencyKey, now: Date, on database: any Database) async throws -> StoredResponse? {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        guard let row = try await sql.select().columns("request_hash", "status", "response").from("idempotency_keys")
            .where("key", .equal, key.key)
            .where("created_at", .greaterThan, now.addingTimeInterval(-ReportWriter.idempotencyWindow))
            .first()
        else { return nil }
        guard try row.decode(column: "request_hash", as: String.self) == key.requestHash else {
            throw ClientError.idempotencyKeyReused
        }
        return StoredResponse(status: try row.decode(column: "status", as: Int.self), body: try row.decode(column: "response", as: String.self))
    }

    @discardableResult
    func expire(now: Date, on database: any Database) async throws -> Int {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        let cutoff = now.addingTimeInterval(-ReportWriter.idempotencyWindow)
        let count = try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("idempotency_keys")
            .where("created_at", .lessThanOrEqual, cutoff).first()?.decode(column: "n", as: Int.self) ?? 0
        try await sql.delete(from: "idempotency_keys").where("created_at", .lessThanOrEqual, cutoff).run()
        return count
    }
}
