import AbuseDeskCore
import Foundation
import Prometheus
import Vapor

/// The long-lived parts of the service, built once by `configure` and shared by every interface.
struct AbuseDeskServices: Sendable {
    let config: AppConfig
    let taxonomy: Taxonomy
    let openAPI: OpenAPIDocument
    let metrics: AppMetrics
    let directory: AccountDirectory
    let attachments: AttachmentStore
    let idempotency: IdempotencyStore
    let intake: ReportIntake
    let intakeQueue: IntakeQueue
    let mail: MailDelivery
    let administration: AccountAdministration
    let operators: OperatorAdministration
    let decisions: ReportDecisions
    let mitigations: Mitigations
    let submissions: AccountSubmissions
    let sessions: ConsoleSessions
    let developerPage: DeveloperPage
    let assets: StaticAssets
    let passwords: PasswordHasher
    let rateLimiter: RateLimiter?
    /// The counts the lists choose their plans by, kept for a few seconds.
    let planHints: PlanHints
    /// SQLite connections of the service's own for the lists' statements (none on PostgreSQL).
    let readConnections: SQLiteReadConnections
    let now: @Sendable () -> Date
}

extension Request {
    /// The service's counts that choose a list's plan.
    var planHints: PlanHints { application.abuseDesk.planHints }
}

extension Application {
    private struct ServicesKey: StorageKey {
        typealias Value = AbuseDeskServices
    }

    /// The services `configure` built. Reading them before `configure` ran is a programming error.
    var abuseDesk: AbuseDeskServices {
        get {
            guard let services = storage[ServicesKey.self] else {
                preconditionFailure("configure(_:config:) must run before the services are used")
            }
            return services
        }
        set { storage[ServicesKey.self] = newValue }
    }
}
