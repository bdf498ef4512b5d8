import Vapor

/// Every route of the service, by interface.
func routes(_ app: Application) throws {
    let services = app.abuseDesk
    try app.register(collection: HealthController(registry: services.metrics.registry, metricsToken: services.config.metricsToken,
                                                  trustForwardedFor: services.config.trustForwardedFor))
    try app.register(collection: services.assets)
    app.get("openapi.json") { _ in
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(buffer: services.openAPI.serialized))
    }

    // The public endpoints share the per-address rate limit.
    let rateLimit: [any AsyncMiddleware] = services.rateLimiter.map {
        [RateLimitMiddleware(limiter: $0, trustForwardedFor: services.config.trustForwardedFor, metrics: services.metrics)]
    } ?? []
    let public_ = app.grouped(inTask: rateLimit)
    try public_.register(collection: ReportAPIController(
        intake: services.intake,
        uploads: UploadHandler(store: services.attachments, quotaBytes: services.config.uploadQuotaBytes,
                               trustForwardedFor: services.config.trustForwardedFor, now: services.now),
        taxonomyJSON: try ByteBuffer(data: JSONEncoder().encode(services.taxonomy)), now: services.now))
    try public_.register(collection: PortalController(
        intake: services.intake, attachments: services.attachments, taxonomy: services.taxonomy,
        developerPage: services.developerPage, now: services.now))
    let authentication = BearerAuthentication(now: services.now)
    try app.register(collection: AccountsAPIController(submissions: services.submissions, mitigations: services.mitigations,
                                                       authentication: authentication))
    try app.register(collection: AdminAPIController(administration: services.administration, operators: services.operators,
                                                    decisions: services.decisions,
                                                    mitigations: services.mitigations, attachments: services.attachments,
                                                    taxonomy: services.taxonomy, authentication: authentication, now: services.now))
    try app.register(collection: ConsoleController(
        sessions: services.sessions, decisions: services.decisions, mitigations: services.mitigations,
        administration: services.administration, operators: services.operators, attachments: services.attachments, taxonomy: services.taxonomy,
        trustForwardedFor: services.config.trustForwardedFor, now: services.now))
    try app.register(collection: LegacyAPIController(
        intake: services.intake, sunset: services.config.v1Sunset, deprecation: services.config.v1Deprecation,
        now: services.now, rateLimit: rateLimit))
}
