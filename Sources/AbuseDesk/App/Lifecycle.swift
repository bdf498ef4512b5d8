import AbuseDeskCore
import Fluent
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Prepares the store before the service answers: WAL mode for SQLite, migrations, the routing table.
struct StoreStartup: LifecycleHandler {
    func willBootAsync(_ app: Application) async throws {
        guard let sql = app.db as? any SQLDatabase else { throw StoreError.notSQL }
        switch app.abuseDesk.config.store {
        case .sqlite:
            // WAL lets readers work while a report batch commits; the setting is kept in the file.
            _ = try await sql.raw("PRAGMA journal_mode=WAL").all()
        case .postgres(_, let schema?):
            _ = try await sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").all()
        case .postgres:
            break
        }
        try await app.autoMigrate()
        try await app.abuseDesk.directory.reload(from: app.db)
    }

    func shutdownAsync(_ app: Application) async {
        await app.abuseDesk.intakeQueue.close()
    }
}

/// Work that runs beside the requests: expiring unclaimed uploads and old idempotency keys.
/// Each pass is one short transaction-sized step, so stopping between passes leaves nothing half-done.
struct BackgroundWork: LifecycleHandler {
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)
    static let interval: Duration = .seconds(600)

    func didBootAsync(_ app: Application) async throws {
        let services = app.abuseDesk
        let database = app.db
        let logger = app.logger
        task.withLockedValue {
            $0 = Task {
                while !Task.isCancelled {
                    await Self.runOnce(services: services, database: database, logger: logger)
                    try? await Task.sleep(for: Self.interval)
                }
            }
        }
    }

    func shutdownAsync(_ app: Application) async {
        let running = task.withLockedValue { $0 }
        running?.cancel()
        await running?.value
    }

    static func runOnce(services: AbuseDeskServices, database: any Database, logger: Logger) async {
        let now = services.now()
        do {
            let uploads = try await services.attachments.expireUnclaimed(now: now, on: database)
            let keys = try await services.idempotency.expire(now: now, on: database)
            if uploads + keys > 0 {
                logger.info("Expired unclaimed uploads and idempotency keys", metadata: ["uploads": "\(uploads)", "keys": "\(keys)"])
            }
        } catch {
            logger.error("Background expiry failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}
