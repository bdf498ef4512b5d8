import AbuseDeskCore
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Leaf
import LeafKit
import NIOPosix
import NIOSSL
import Prometheus
import Vapor

/// Builds the whole service on `app` from `config`: store, migrations, services, middleware, routes
/// and background work. The executable and the tests both come through here.
public func configure(_ app: Application, config: AppConfig,
                      registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
                      now: @escaping @Sendable () -> Date = { Date() }) async throws {
    try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
    try configureDatabase(app, store: config.store)
    app.migrations.add(M001_CreateCoreSchema())
    app.migrations.add(M002_CreateOutbox())
    app.migrations.add(M003_CreateAccessAndMitigations())
    app.migrations.add(M004_CountAndIndexReportLists())
    app.migrations.add(M005_CreateAuditLog())
    app.migrations.add(M006_CreateConsole())
    app.migrations.add(M007_BoundWhatStrangersMayCost())
    app.migrations.add(M008_LetPeopleGo())
    app.migrations.add(M009_NamesInOneForm())
    app.migrations.add(M010_SearchAndSortTheQueue())
    app.migrations.add(M011_TallyByStatementAndListTheRest())
    app.migrations.add(M012_TargetsInFilingOrder())
    app.migrations.add(M013_EveryAppealInFilingOrder())
    app.migrations.add(M014_SeveralServersOnOneStore())
    app.migrations.add(M015_CountTroubledMailFromItsIndex())
    app.migrations.add(M016_SeeAnAccountsReportFromItsIndex())
    app.migrations.add(M017_SearchIndexInSmallerPages())
    app.migrations.add(M018_CountReportsByFilingDay())
    app.migrations.add(M019_CountAStatusFromItsIndex())
    app.migrations.add(M020_ListFailedMailFromItsIndex())
    app.migrations.add(M021_CountATaxonomyPairFromItsIndex())
    app.migrations.add(M022_CountATaxonomyPairFromItsIndexOnSQLite())
    app.migrations.add(M023_CountATargetsReportsFromItsFirstTarget())
    app.migrations.add(M024_SearchMatchesCarryTheirFilingTime())
    app.migrations.add(M025_CountATargetsReportsFromItsFirstTargetOnPostgreSQL())

    let taxonomy = try Taxonomy.load()
    let notices = Notices(templates: try MailTemplates.bundled())
    let metrics = AppMetrics(registry: registry)
    let directory = AccountDirectory(metrics: metrics)
    let attachments = AttachmentStore(directory: config.dataDirectory + "/attachments")
    let idempotency = IdempotencyStore()
    let validator = ReportValidator(taxonomy: taxonomy)
    let intakeDatabase: any IntakeDatabase
    switch config.store {
    case .sqlite(let path):
        intakeDatabase = try await SQLiteIntakeDatabase(path: path, synchronous: config.sqliteSynchronous, logger: app.logger)
    case .postgres: intakeDatabase = FluentIntakeDatabase(database: { [unowned app] in app.db })
    }
    let queue = IntakeQueue(database: intakeDatabase, now: now, maximumBatch: config.intakeBatchSize,
                            receiptsPerHour: config.receiptsPerHour, logger: app.logger, metrics: metrics, directory: directory)
    let intake = ReportIntake(validator: validator, legacy: LegacyReportTranslator(validator: validator), queue: queue,
                              directory: directory, attachments: attachments, idempotency: idempotency, metrics: metrics, notices: notices, now: now)
    let passwords = PasswordHasher()
    let openAPI = try OpenAPIDocument(taxonomy: taxonomy, v1Sunset: config.v1Sunset)
    let transport: any MailTransport = try config.smtp.map {
        try SMTPTransport(settings: $0, heloName: config.mailDomain, envelopeSender: AppConfig.address(in: config.mailFrom) ?? "abuse@localhost",
                          group: app.eventLoopGroup)
    } ?? EmlFileTransport(directory: config.dataDirectory + "/mail")
    let mail = MailDelivery(transport: transport, sender: config.mailFrom, hostname: config.mailDomain,
                            claims: OutboxClaims(claimant: OutboxClaims.processName(), lease: config.mailLeaseSeconds),
                            retryBase: config.mailRetrySeconds, metrics: metrics, now: now)
    app.abuseDesk = AbuseDeskServices(
        config: config, taxonomy: taxonomy, openAPI: openAPI, metrics: metrics, directory: directory, attachments: attachments,
        idempotency: idempotency, intake: intake, intakeQueue: queue, mail: mail,
        administration: AccountAdministration(directory: directory, now: now),
        operators: OperatorAdministration(passwords: passwords, now: now),
        decisions: ReportDecisions(notices: notices, now: now),
        mitigations: Mitigations(notices: notices, now: now), submissions: AccountSubmissions(intake: intake),
        sessions: ConsoleSessions(passwords: passwords, now: now), developerPage: DeveloperPage(document: openAPI.document),
        assets: try StaticAssets(folder: resourcePath("Public")),
        passwords: passwords, rateLimiter: config.rateLimitPerMinute.map(RateLimiter.init(perMinute:)), planHints: PlanHints(),
        readConnections: SQLiteReadConnections(), now: now)

    try configureViews(app)
    app.routes.defaultMaxBodySize = BodyLimits.json
    app.middleware = Middlewares()
    app.middleware.use(RequestLogMiddleware())
    app.middleware.use(ErrorMiddleware())
    app.middleware.use(RequestSizeLimitMiddleware())
    // Last: where a request's task begins, to run its route's middleware and handler.
    app.middleware.use(RequestTaskMiddleware(connections: app.abuseDesk.readConnections, readsOn: app.eventLoopGroup))
    try routes(app)
    app.routeTable = RouteTable(app.routes.all)
    registerCommands(app)

    app.lifecycle.use(StoreStartup())
    if config.runsBackgroundTasks {
        app.lifecycle.use(BackgroundWork(runsPasses: config.runsBackgroundPasses))
    }
}

/// The administration commands. On their own (without `configure`) they can print their help, and
/// nothing else: that is how `--help` runs without touching a store.
public func registerCommands(_ app: Application) {
    app.asyncCommands.use(AccountCommand(), as: "account")
    app.asyncCommands.use(TokenCommand(), as: "token")
    app.asyncCommands.use(OperatorCommand(), as: "operator")
    app.asyncCommands.use(AuditCommand(), as: "audit")
    for pass in WorkCommand.Pass.allCases { app.asyncCommands.use(WorkCommand(pass: pass), as: pass.rawValue) }
    app.asyncCommands.use(ServeCommandWithBackgroundOption(serve: app.servers.command), as: "serve", isDefault: true)
}

/// Leaf templates from the application's resources, cached except while developing.
private func configureViews(_ app: Application) throws {
    app.views.use(.leaf)
    let views = try resourcePath("Views")
    app.leaf.configuration = LeafConfiguration(rootDirectory: views)
    // The build folder (.build) is hidden; the templates are still only read from inside it.
    app.leaf.sources = .singleSource(NIOLeafFiles(fileio: app.fileio, limits: [.toSandbox, .requireExtensions, .onlyLeafExtensions],
                                                  sandboxDirectory: views, viewDirectory: views))
    app.leaf.cache.isEnabled = app.environment != .development
}

/// The folder of a bundled resource, ending in "/".
private func resourcePath(_ name: String) throws -> String {
    guard let url = Bundle.module.url(forResource: name, withExtension: nil) else {
        throw OpenAPIDocument.Unreadable(description: "the \(name) folder is missing from the application's resources")
    }
    return url.path + "/"
}

/// How long a request waits for a store connection before it fails: long enough that a burst of changes
/// queues behind one another on a busy machine (SQLite has one connection per event loop, and its writes
/// take turns) rather than failing.
private let connectionPoolTimeout: TimeAmount = .seconds(30)

private func configureDatabase(_ app: Application, store: AppConfig.Store) throws {
    switch store {
    case .sqlite(let path):
        // SQLite's statements block a thread, and one waiting for the write lock blocks it for as long as
        // it waits. With a thread for every connection of the pool (one per event loop) and two more, the
        // connection that holds the lock always has a thread to finish on: the process-wide default pool
        // (one thread per core, shared with every other blocking task) could be filled by waiters alone,
        // and then nobody finishes until their waits run out with "database is locked".
        app.threadPool = NIOThreadPool(numberOfThreads: Array(app.eventLoopGroup.makeIterator()).count + 2)
        SearchRank.install()
        app.databases.use(.sqlite(.file(path), connectionPoolTimeout: connectionPoolTimeout, sqlLogLevel: .debug), as: .sqlite)
    case .postgres(let url, let schema):
        var configuration = try SQLPostgresConfiguration(url: url)
        if let schema { configuration.searchPath = [schema] }
        app.databases.use(.postgres(configuration: configuration, maxConnectionsPerEventLoop: 4, connectionPoolTimeout: connectionPoolTimeout,
                                    sqlLogLevel: .debug), as: .psql)
    }
}
