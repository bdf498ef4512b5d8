import Fluent
import SQLKit

extension Database {
    /// A transaction that changes state and records it in the audit log. Its first statement takes the
    /// log's head row: PostgreSQL holds that row until the end, and SQLite takes its write lock before
    /// anything is read — so what the transaction reads cannot be overtaken by another writer's commit
    /// (which SQLite would refuse at the first write with "database is locked").
    func auditedTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await transaction { database in
            guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
            try await sql.raw("UPDATE audit_head SET sequence = sequence WHERE id = 1").run()
            return try await body(database)
        }
    }
}
