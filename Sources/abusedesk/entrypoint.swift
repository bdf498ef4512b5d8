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
        // Only the server delivers mail and expires uploads in the background (unless told not to:
        // `serve --no-background`); the commands deliver-mail, activate-due and expire do one pass.
        // Commands print JSON on standard output, so they log to standard error.
        // The command input holds the arguments after the executable's path.
        let command = environment.commandInput.arguments.first
        let serves = command == nil || command == "serve" || command?.hasPrefix("-") == true
        let logDescriptor = serves ? STDOUT_FILENO : STDERR_FILENO
        try LoggingSystem.bootstrap(from: &environment) { level in
            { label in LineLogHandler(label: label, level: level, descriptor: logDescriptor) }
        }
        let registry = PrometheusCollectorRegistry()
        // Vapor's own HTTP metrics flow into the registry that /metrics serves.
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

        // Help reads no settings and touches no store: the commands are there only to describe themselves.
        let wantsHelp = environment.commandInput.arguments.contains { $0 == "--help" || $0 == "-h" }
        var config = AppConfig()
        if !wantsHelp {
            do {
                config = try AppConfig.fromEnvironment()
            } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                exit(2)
            }
        }
        config.runsBackgroundTasks = serves
        config.runsBackgroundPasses = !environment.commandInput.arguments.contains(AppConfig.noBackgroundOption)
        let app = try await Application.make(environment)
        do {
            if wantsHelp {
                registerCommands(app)
            } else {
                try await configure(app, config: config, registry: registry)
            }
            // What app.execute() does, without logging a command's refusal as an error.
            try await app.startup()
            try await app.running?.onStop.get()
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data((failure.description + "\n").utf8))
            try? await app.asyncShutdown()
            exit(1)
        } catch {
            // Logged once, then a plain exit: a failed start (say, a migration the store refuses) is an
            // operator's problem to read, not a crash report.
            app.logger.critical("AbuseDesk stopped: \(String(reflecting: error))")
            try? await app.asyncShutdown()
            exit(1)
        }
        try await app.asyncShutdown()
    }
}
