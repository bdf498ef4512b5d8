import AbuseDeskCore
import Fluent
import Vapor

/// `abusedesk deliver-mail`, `abusedesk activate-due`, `abusedesk expire` and `abusedesk compact-search`:
/// one pass of the work a serving process does in the background, run once, for operators who prefer cron
/// or a worker process (beside `serve --no-background`). Each is safe beside running servers: every pass claims or checks
/// what it changes, so an item is done once whoever comes first. Prints what the pass did as JSON.
struct WorkCommand: AnyAsyncCommand {
    enum Pass: String, CaseIterable {
        case deliverMail = "deliver-mail"
        case activateDue = "activate-due"
        case expire
        case compactSearch = "compact-search"
    }

    let pass: Pass

    var help: String {
        switch pass {
        case .deliverMail: "Delivers every queued e-mail that is due, once, and prints how many went out."
        case .activateDue: "Puts in force every mitigation whose effective date has come, once, and prints how many."
        case .expire: "Deletes unclaimed uploads, idempotency keys and console sessions past their time, once, and prints how many."
        case .compactSearch: "Merges the full-text search index's segments (SQLite), and prints how many merge steps it took and the segments left."
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
        case .compactSearch:
            let upkeep = SearchIndexUpkeep(database: application.db)
            // By hand there is no pass after this one to finish the work: no budget.
            let steps = try await upkeep.compact(budget: .seconds(3_600))
            return ["merge_steps": .number(Double(steps)), "segments": try await upkeep.segments().map { .number(Double($0)) } ?? .null]
        }
    }

    func outputHelp(using context: inout CommandContext) {
        context.console.output(help.consoleText())
    }
}
