import AbuseDeskCore
import Vapor

/// `abusedesk audit verify`: reads the whole audit log and checks every link of its hash chain.
struct AuditCommand: AdministrationCommand {
    let help = "Checks the audit log: every entry must give its stored hash and link to the one before it."
    let verbs = [(name: "verify", usage: "audit verify")]

    func run(verb: String, arguments: [String], application: Application) async throws -> JSONValue {
        _ = try CommandArguments(arguments, allowed: [])
        let result = try await AuditLog.verify(on: application.db)
        if let broken = result.firstBreak {
            throw CommandFailure("The audit log is broken: \(broken). The \(result.entries) entries before it are intact.")
        }
        // The head hash printed here can be kept elsewhere and compared later.
        return ["intact": true, "entries": .number(Double(result.entries)), "head_hash": .string(result.headHash)]
    }
}
