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
        case customerWithdrawn = "customer-withdrawn"
        case customerMitigation = "customer-mitigation"
        case customerAppealReceived = "customer-appeal-received"
        case customerAppealDecided = "customer-appeal-decided"
        case hostForward = "host-forward"
    }

    static let partials = ["report-summary", "signature"]

    public struct Unusable: Error, CustomStringConvertible {
        public var description: String
    }

    private let templates: [Event: (subject: TextTemplate, body: TextTemplate)]

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
        for name in Self.partials {  // on their own first, so that a mistake in one is told with its own name and line
            do {
                _ = try TextTemplate(partials[name] ?? "", partials: partials)
            } catch {
                throw Unusable(description: "the mail template \(name) does not compile: \(error)")
            }
        }
        var templates: [Event: (subject: TextTemplate, body: TextTemplate)] = [:]
        for event in Event.allCases {
            guard let source = sources[event.rawValue] else { throw Unusable(description: "there is no mail template \(event.rawValue)") }
            templates[event] = try Self.compile(source, named: event.rawValue, partials: partials)
        }
        self.templates = templates
    }

    /// The subject and body of `event`'s e-mail for `context` (keys as the template names them).
    public func render(_ event: Event, _ context: [String: TemplateValue]) -> (subject: String, body: String) {
        guard let template = templates[event] else { return ("", "") }
        return (template.subject.render(context), template.body.render(context))
    }

    /// A template's subject line and body, each compiled on its own so that rendering splits nothing. The
    /// body begins at the subject's line break, so that its lines are counted from the top of the file; the
    /// blank lines it begins and ends with are dropped.
    private static func compile(_ source: String, named name: String,
                                partials: [String: String]) throws -> (subject: TextTemplate, body: TextTemplate) {
        let subjectEnd = source.utf8.firstIndex(of: UInt8(ascii: "\n")) ?? source.endIndex
        let firstLine = source[..<subjectEnd]
        let subject = firstLine.hasPrefix("Subject:") ? String(firstLine.dropFirst("Subject:".count)).trimmingWhitespace() : ""
        guard !subject.isEmpty else {
            throw Unusable(description: "the mail template \(name) does not begin with a \"Subject:\" line")
        }
        do {
            return (try TextTemplate(subject, partials: partials),
                    try TextTemplate(String(source[subjectEnd...]), partials: partials).trimmingLineBreaksAtEdges())
        } catch {
            throw Unusable(description: "the mail template \(name) does not compile: \(error)")
        }
    }
}
