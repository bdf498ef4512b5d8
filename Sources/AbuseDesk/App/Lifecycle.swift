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
            // The pool keeps one connection per event loop. Each waits up to five seconds for the write
            // lock (the report writer's, or another process's) instead of failing at once. Each keeps
            // 64 MiB of pages and reads the file through a map of up to 2 GiB: a list's pages are spread
            // over a store of millions of reports, and read one system call and one copy at a time they
            // cost a page of mail more than the rest of its work.
            for eventLoop in app.eventLoopGroup.makeIterator() {
                guard let connection = app.databases.database(logger: app.logger, on: eventLoop) as? any SQLDatabase else { continue }
                for pragma in ["PRAGMA busy_timeout = 5000", "PRAGMA cache_size = -65536", "PRAGMA mmap_size = 2147418112"] {
                    _ = try await connection.raw(SQLQueryString(pragma)).all()
                }
            }
        case .postgres(_, let schema?):
            _ = try await sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").all()
        case .postgres:
            break
        }
        // Several processes may start together on a new store: one migrates, the others wait for it.
        try await MigrationLock.holding(app.abuseDesk.config.store, on: app.db) { try await app.autoMigrate() }
        if case .sqlite = app.abuseDesk.config.store {
            // Statistics for the query planner, gathered within a bounded effort where they are missing or old.
            _ = try await sql.raw("PRAGMA optimize=0x10002").all()
        }
        if case .sqlite(let path) = app.abuseDesk.config.store {
            // A statement holds its task's thread while it runs: one thread of the tasks' pool is always
            // left for the others (a long statement never stalls every request); as many more as there are
            // cores have a thread each, and the pool answers beyond.
            try app.abuseDesk.readConnections.open(path: path, onTask: SQLiteReadConnections.onTaskLimit, offTask: System.coreCount)
        }
        try await app.abuseDesk.directory.reload(from: app.db)
        try await app.abuseDesk.attachments.moveFilesIntoStore(on: app.db, logger: app.logger)
    }

    func shutdownAsync(_ app: Application) async {
        app.abuseDesk.readConnections.close()
        await app.abuseDesk.intakeQueue.close()
        await app.abuseDesk.passwords.shutdown()
    }
}

/// Work that runs beside the requests: delivering the outbox and activating mitigations that have
/// become due every few seconds, picking up routing changed by another process (or the command line)
/// within half a second, compacting the search index every half minute, expiring unclaimed uploads, old
/// idempotency keys and ended console sessions every ten minutes. Each pass is short, leaves nothing
/// half-done when it is stopped between passes, and does each item once when several processes run it
/// together (SPEC 10). `serve --no-background`
/// leaves all but the routing to other processes or to the commands of the same names.
struct BackgroundWork: LifecycleHandler {
    private let tasks = NIOLockedValueBox<[Task<Void, Never>]>([])
    static let mailInterval: Duration = .seconds(2)
    static let routingInterval: Duration = .milliseconds(500)
    static let schedulerInterval: Duration = .seconds(5)
    static let expiryInterval: Duration = .seconds(600)
    /// Whether this process delivers mail, activates mitigations and expires (not with `--no-background`).
    let runsPasses: Bool

    func didBootAsync(_ app: Application) async throws {
        let services = app.abuseDesk
        let database = app.db
        let logger = app.logger
        var work = [Self.repeating(every: Self.routingInterval) { await Self.refreshRouting(services: services, database: database, logger: logger) }]
        if runsPasses {
            work += [
                Self.repeating(every: Self.mailInterval) {
                    await Self.logging("Mail delivery pass failed", logger) { try await services.mail.deliverAllDue(on: database, logger: logger) }
                },
                Self.repeating(every: Self.schedulerInterval) {
                    await Self.logging("Mitigation scheduler pass failed", logger) {
                        let activated = try await services.mitigations.activateDue(on: database)
                        if activated > 0 { logger.info("Activated mitigations that became due", metadata: ["count": "\(activated)"]) }
                    }
                },
                Self.repeating(every: Self.expiryInterval) {
                    await Self.logging("Background expiry failed", logger) {
                        let expired = try await Self.expireOld(services: services, database: database)
                        if expired.uploads + expired.keys + expired.sessions > 0 {
                            logger.info("Expired unclaimed uploads, idempotency keys and console sessions",
                                        metadata: ["uploads": "\(expired.uploads)", "keys": "\(expired.keys)", "sessions": "\(expired.sessions)"])
                        }
                    }
                },
                Self.repeating(every: Self.expiryInterval) { await Self.refreshPlannerStatistics(database: database, logger: logger) },
                Self.repeating(every: SearchIndexUpkeep.interval) {
                    await Self.logging("Compacting the search index failed", logger) {
                        let steps = try await SearchIndexUpkeep(database: database).compact()
                        if steps > 0 { logger.debug("Merged the search index's segments", metadata: ["steps": "\(steps)"]) }
                    }
                },
            ]
        }
        tasks.withLockedValue { $0 = work }
    }

    func shutdownAsync(_ app: Application) async {
        let running = tasks.withLockedValue { $0 }
        for task in running { task.cancel() }
        for task in running { await task.value }
    }

    private static func repeating(every interval: Duration, _ work: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                await work()
                try? await Task.sleep(for: interval)
            }
        }
    }

    private static func logging(_ failure: String, _ logger: Logger, _ pass: () async throws -> Void) async {
        do {
            try await pass()
        } catch {
            logger.error(Logger.Message(stringLiteral: failure), metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    static func refreshRouting(services: AbuseDeskServices, database: any Database, logger: Logger) async {
        do {
            if try await services.directory.refreshIfChanged(from: database) {
                logger.info("Reloaded the routing table: accounts' domains or netblocks changed")
            }
        } catch {
            logger.error("Routing table refresh failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// SQLite plans its queries from statistics it keeps only when asked; this refreshes those that have
    /// drifted (a cheap no-op when none has), so the lists' plans follow the store as it grows.
    /// PostgreSQL's autovacuum does the same by itself.
    static func refreshPlannerStatistics(database: any Database, logger: Logger) async {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        do {
            _ = try await sql.raw("PRAGMA optimize").all()
        } catch {
            logger.error("Refreshing the query planner's statistics failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// Deletes unclaimed uploads, idempotency keys and console sessions past their time.
    static func expireOld(services: AbuseDeskServices, database: any Database) async throws -> (uploads: Int, keys: Int, sessions: Int) {
        let now = services.now()
        return (try await services.attachments.expireUnclaimed(now: now, on: database),
                try await services.idempotency.expire(now: now, on: database),
                try await services.sessions.expire(on: database))
    }
}
