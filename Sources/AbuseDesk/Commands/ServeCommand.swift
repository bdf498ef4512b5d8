import Vapor

/// `abusedesk serve [--hostname H] [--port P] [--no-background]`: Vapor's serve command, with a flag for
/// a process that only answers requests. Without it the process also delivers the mail, activates due
/// mitigations and expires what is old; with it those passes are left to the other processes, or to
/// `abusedesk deliver-mail`, `activate-due` and `expire` run by cron or a worker (the executable reads
/// the flag before the service is configured).
struct ServeCommandWithBackgroundOption: AnyAsyncCommand {
    let serve: ServeCommand

    var help: String { serve.help }

    func run(using context: inout CommandContext) async throws {
        context.input.arguments.removeAll { $0 == AppConfig.noBackgroundOption }
        try await serve.run(using: &context)
    }

    func outputHelp(using context: inout CommandContext) {
        serve.outputHelp(using: &context)
        context.console.output("\(AppConfig.noBackgroundOption) answers requests only: no mail delivery, no scheduled mitigations, no expiry in this process.".consoleText())
    }
}
