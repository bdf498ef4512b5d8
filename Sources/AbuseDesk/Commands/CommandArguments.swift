import AbuseDeskCore
import Foundation
import Vapor

/// A command's failure, printed as it is (no stack, no log decoration) with a non-zero exit.
public struct CommandFailure: Error, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }

    /// Every problem of a refused request, one per line.
    init(_ error: ClientError) {
        description = error.problems.isEmpty ? error.message
            : error.problems.map { "--" + $0.path.replacingOccurrences(of: "_", with: "-") + ": " + $0.message }.joined(separator: "\n")
    }
}

/// `--name value` and `--name=value` options, each allowed ones repeatable, read from a subcommand's arguments.
struct CommandArguments {
    private var values: [String: [String]] = [:]

    init(_ arguments: [String], allowed: [String]) throws {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            guard argument.hasPrefix("--") else {
                throw CommandFailure("Unexpected argument \"\(argument)\"; options are written --name value.")
            }
            var name = String(argument.dropFirst(2))
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            // An option is known before its value is looked for: a mistyped name is named as such.
            guard allowed.contains(name) else {
                let options = allowed.isEmpty ? "this command takes none" : "the options are \(allowed.map { "--" + $0 }.joined(separator: ", "))"
                throw CommandFailure("Unknown option --\(name); \(options).")
            }
            if value == nil {
                guard index + 1 < arguments.count, !arguments[index + 1].hasPrefix("--") else { throw CommandFailure("--\(name) needs a value.") }
                index += 1
                value = arguments[index]
            }
            values[name, default: []].append(value ?? "")
            index += 1
        }
    }

    func all(_ name: String) -> [String] { values[name] ?? [] }

    func single(_ name: String) throws -> String? {
        let found = all(name)
        guard found.count <= 1 else { throw CommandFailure("Give --\(name) once.") }
        return found.first
    }
}

/// The shared shape of the administration commands: `abusedesk NOUN VERB --option value ...`, one JSON
/// object printed on success.
protocol AdministrationCommand: AnyAsyncCommand {
    /// verb → help line.
    var verbs: [(name: String, usage: String)] { get }
    func run(verb: String, arguments: [String], application: Application) async throws -> JSONValue
}

extension AdministrationCommand {
    func run(using context: inout CommandContext) async throws {
        let application = context.application
        var arguments = context.input.arguments
        guard let verb = arguments.first, verbs.contains(where: { $0.name == verb }) else {
            throw CommandFailure("Usage:\n" + verbs.map { "  abusedesk \($0.usage)" }.joined(separator: "\n"))
        }
        arguments.removeFirst()
        do {
            let result = try await run(verb: verb, arguments: arguments, application: application)
            context.console.output(result.serialized().consoleText())
        } catch let error as ClientError {
            throw CommandFailure(error)
        }
    }

    func outputHelp(using context: inout CommandContext) {
        context.console.output((help + "\n\nUsage:\n" + verbs.map { "  abusedesk \($0.usage)" }.joined(separator: "\n")).consoleText())
    }
}
