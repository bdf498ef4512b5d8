import Fluent
import Foundation
import SQLKit

/// Lets one process at a time migrate the store, so that several processes started together on a new
/// store (SPEC 10) do not each create the same tables: the first migrates, the others wait and then
/// find nothing left to do. On PostgreSQL a session lock held on a connection of its own (released by
/// the server if the process dies); on SQLite, whose processes share one machine, a lock on a file
/// beside the database (released by the system if the process dies).
enum MigrationLock {
    /// An arbitrary key of PostgreSQL's advisory locks, this service's own.
    static let postgresKey: Int64 = 0x4162_7573_6544_6573  // "AbuseDes"

    static func holding<T: Sendable>(_ store: AppConfig.Store, on database: any Database,
                                     _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        switch store {
        case .sqlite(let path):
            let descriptor = open(path + ".migrating", O_RDWR | O_CREAT, 0o600)
            guard descriptor >= 0 else { throw POSIXFailure(operation: "open", path: path + ".migrating") }
            defer { close(descriptor) }
            // Blocks this thread while another process migrates: only at start, before anything is served.
            guard flock(descriptor, LOCK_EX) == 0 else { throw POSIXFailure(operation: "flock", path: path + ".migrating") }
            defer { flock(descriptor, LOCK_UN) }
            return try await body()
        case .postgres:
            return try await database.withConnection { connection in
                guard let sql = connection as? any SQLDatabase else { throw StoreError.notSQL }
                try await sql.raw("SELECT pg_advisory_lock(\(bind: postgresKey))").run()
                do {
                    let result = try await body()
                    try await sql.raw("SELECT pg_advisory_unlock(\(bind: postgresKey))").run()
                    return result
                } catch {
                    try? await sql.raw("SELECT pg_advisory_unlock(\(bind: postgresKey))").run()
                    throw error
                }
            }
        }
    }
}
