import AbuseDesk
import Foundation
import Logging
import Metrics
import Prometheus
import Vapor

@main
enum Entrypoint {
    static func main() async throws {
        var environment = try Environment.detect()
        try LoggingSystem.bootstrap(from: &environment) { level in
            { label in LineLogHandler(label: label, level: level) }
        }
        let registry = PrometheusCollectorRegistry()
        // Vapor's own HTTP metrics flow into the registry that /metrics serves.
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

        let config: AppConfig
        do {
            config = try AppConfig.fromEnvironment()
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(2)
        }
        let app = try await Application.make(environment)
        do {
            try await configure(app, config: config, registry: registry)
            try await app.execute()
        } catch {
            app.logger.report(error: error)
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}
