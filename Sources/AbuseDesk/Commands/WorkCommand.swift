import AbuseDeskCore
import Fluent
import Vapor

/// `abusedesk deliver-mail`, `abusedesk activate-due` and `abusedesk expire`: one pass of the work a
/// serving process does in the background, run once, for operators who prefer cron or a worker process
/// (beside `serve --no-background`). Each is safe beside running servers: every pass claims or checks
/// what it changes, so an item is done once whoever comes first. Prints what the pass did as JSON.
struct WorkCommand: AnyAsyncCommand {
    enum Pass: String, CaseIterable {
        case deliverMail = "deliver-mail"
        case activateDue = "activate-due"
        case expire
    }

    let pass: Pass

    var help: String {
        switch pass {
        case .deliverMail: "Delivers every queued e-mail that is due, once, and prints how many went out."
        case .activateDue: "Puts in force every mitigation whose effective date has come, once, and prints how many."
        case .expire: "Deletes unclaimed uploads, idempotency keys and console sessions past their time, once, and prints how many."
        }
    }

    func run(using context: inout CommandContext) async throws {
        _ = try CommandArguments(context.input.arguments, allowed: [])
        let result = try await run(on: context.application)
        context.console.output(result.serialized().consoleText())
    }

    private func run(on application: Application) async throws -> JSONValue {
        let services = application.abuseDesk
        switch pass {
        case .deliverMail:
            let sent = try await services.mail.deliverAllDue(on: application.db, logger: application.logger)
            return ["sent": .number(Double(sent))]
        case .activateDue:
            let activated = try await services.mitigations.activateDue(on: application.db)
            return ["activated": .number(Double(activated))]
        case .expire:
            let expired = try await BackgroundWork.expireOld(services: services, database: application.db)
            return ["uploads": .number(Double(expired.uploads)), "idempotency_keys": .number(Double(expired.keys)),
                    "sessions": .number(Double(expired.sessions))]
        }
    }

    func outputHelp(using context: inout CommandContext) {
        context.console.output(help.consoleText())
    }
}
