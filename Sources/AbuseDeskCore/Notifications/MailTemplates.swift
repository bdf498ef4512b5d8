import Foundation

/// The words of every e-mail: one template per event in `Resources/Mail` (plain text in the Mustache
/// language, see `TextTemplate`), with the parts several e-mails share as partials (`report-summary`,
/// `signature`). A template's first line is `Subject: ...`; the body follows a blank line.
public struct MailTemplates: Sendable {
    /// The events that send an e-mail, each named as its template file.
    public enum Event: String, Sendable, CaseIterable {
        case reporterReceipt = "reporter-receipt"
        case reporterDecision = "reporter-decision"
        case customerAccepted = "customer-accepted"
        case customerMitigation = "customer-mitigation"
        case customerAppealReceived = "customer-appeal-received"
        case customerAppealDecided = "customer-appeal-decided"
        case hostForward = "host-forward"
    }

    static let partials = ["report-summary", "signature"]

    public struct Unusable: Error, CustomStringConvertible {
        public var description: String
    }

    private let templates: [Event: TextTemplate]

    /// The templates bundled with AbuseDesk.
    public static func bundled() throws -> MailTemplates {
        guard let folder = Bundle.module.url(forResource: "Mail", withExtension: nil) else {
            throw Unusable(description: "the Mail templates are missing from the application's resources")
        }
        var sources: [String: String] = [:]
        for name in Event.allCases.map(\.rawValue) + partials {
            let url = folder.appendingPathComponent(name + ".mustache")
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw Unusable(description: "the mail template \(name).mustache is missing or unreadable")
            }
            sources[name] = text
        }
        return try MailTemplates(sources: sources)
    }

    /// Templates from their sources by name; every event and partial must be there and parse.
    public init(sources: [String: String]) throws {
        var partials: [String: String] = [:]
        for name in Self.partials {
            guard let source = sources[name] else { throw Unusable(description: "there is no mail template \(name)") }
            partials[name] = source
        }
        var templates: [Event: TextTemplate] = [:]
        for event in Event.allCases {
            guard let source = sources[event.rawValue] else { throw Unusable(description: "there is no mail template \(event.rawValue)") }
            do {
                templates[event] = try TextTemplate(source, partials: partials)
            } catch {
                throw Unusable(description: "the mail template \(event.rawValue) does not compile: \(error)")
            }
        }
        self.templates = templates
        for event in Event.allCases where render(event, [:]).subject.isEmpty {
            throw Unusable(description: "the mail template \(event.rawValue) does not begin with a \"Subject:\" line")
        }
    }

    /// The subject and body of `event`'s e-mail for `context` (keys as the template names them).
    public func render(_ event: Event, _ context: [String: TemplateValue]) -> (subject: String, body: String) {
        let text = templates[event]?.render(context) ?? ""
        let lines = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = lines.first, first.hasPrefix("Subject:") else { return ("", text) }
        let subject = first.dropFirst("Subject:".count).trimmingCharacters(in: .whitespaces)
        var body = lines.count > 1 ? Substring(lines[1]) : ""
        while body.first == "\n" { body = body.dropFirst() }
        while body.last == "\n" { body = body.dropLast() }
        return (subject, String(body))
    }
}
