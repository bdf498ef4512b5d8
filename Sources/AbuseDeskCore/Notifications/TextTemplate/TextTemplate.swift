/// A plain-text template in the Mustache language, compiled once and rendered many times: the e-mails are
/// rendered while a report is being filed, so rendering is a walk over parsed nodes with typed values.
///
/// What it understands: `{{name}}` and dotted `{{a.b}}` (looked up through the enclosing sections, as
/// Mustache does), `{{.}}` for the current item, sections `{{#name}}…{{/name}}` (once for a true value or
/// an object, once per item of a list, not at all for a false value, an empty text or list, or 0),
/// inverted sections `{{^name}}…{{/name}}`, partials `{{> name}}` (resolved when compiled, indented like
/// their tag) and comments `{{! … }}`. A line holding nothing but a section, partial or comment tag leaves
/// no blank line behind. Values are written as they are: this is for plain text, nothing is escaped.
public struct TextTemplate: Sendable {
    indirect enum Node: Sendable, Equatable {
        case text(String)
        case variable([String])
        case section([String], [Node], inverted: Bool)
    }

    /// Why a template does not compile, with the line it happened on.
    public struct SyntaxError: Error, Equatable, CustomStringConvertible {
        public var line: Int
        public var problem: String
        public var description: String { "line \(line): \(problem)" }
    }

    let nodes: [Node]
    /// Room for what is rendered: the template's own text and as much again for the values.
    private let expectedSize: Int

    /// Compiles `source`; `partials` holds the templates `{{> name}}` may include, by name.
    public init(_ source: String, partials: [String: String] = [:]) throws(SyntaxError) {
        self.init(nodes: try Parser(partials: partials).parse(source, depth: 0))
    }

    private init(nodes: [Node]) {
        self.nodes = nodes
        expectedSize = 2 * nodes.reduce(0) { size, node in
            if case .text(let text) = node { size + text.utf8.count } else { size }
        }
    }

    /// The template without the line breaks its text begins and ends with.
    public func trimmingLineBreaksAtEdges() -> TextTemplate {
        var nodes = nodes
        if case .text(let text)? = nodes.first { nodes[0] = .text(String(text.drop { $0 == "\n" })) }
        if case .text(let text)? = nodes.last {
            var trimmed = Substring(text)
            while trimmed.last == "\n" { trimmed = trimmed.dropLast() }
            nodes[nodes.count - 1] = .text(String(trimmed))
        }
        return TextTemplate(nodes: nodes.filter { $0 != .text("") })
    }

    /// The text for `context`, the names the template reads at the top level.
    public func render(_ context: [String: TemplateValue]) -> String {
        var output = ""
        output.reserveCapacity(expectedSize)
        var scopes: [TemplateValue] = [.object(context)]
        Self.render(nodes, scopes: &scopes, into: &output)
        return output
    }

    private static func render(_ nodes: [Node], scopes: inout [TemplateValue], into output: inout String) {
        for node in nodes {
            switch node {
            case .text(let text):
                output += text
            case .variable(let path):
                lookUp(path, in: scopes)?.write(to: &output)
            case .section(let path, let children, let inverted):
                let value = lookUp(path, in: scopes)
                let truthy = value?.isTruthy ?? false
                if inverted {
                    if !truthy { render(children, scopes: &scopes, into: &output) }
                } else if let value, truthy {
                    switch value {
                    case .flag:
                        render(children, scopes: &scopes, into: &output)
                    case .list(let items):
                        for item in items { renderScoped(children, in: item, scopes: &scopes, into: &output) }
                    case .text, .number, .object:
                        renderScoped(children, in: value, scopes: &scopes, into: &output)
                    }
                }
            }
        }
    }

    private static func renderScoped(_ nodes: [Node], in value: TemplateValue, scopes: inout [TemplateValue], into output: inout String) {
        scopes.append(value)
        render(nodes, scopes: &scopes, into: &output)
        scopes.removeLast()
    }

    /// The value of a dotted name: its first part from the innermost scope that has it, the rest within
    /// that value. The empty path (`.`) is the innermost scope itself.
    private static func lookUp(_ path: [String], in scopes: [TemplateValue]) -> TemplateValue? {
        guard let first = path.first else { return scopes.last }
        var found: TemplateValue?
        for scope in scopes.reversed() {
            found = scope[first]
            if found != nil { break }
        }
        guard var value = found else { return nil }
        for name in path.dropFirst() {
            guard let member = value[name] else { return nil }
            value = member
        }
        return value
    }
}
