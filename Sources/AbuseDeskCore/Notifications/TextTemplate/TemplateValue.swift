/// A value a `TextTemplate` reads: text, a number, a yes-or-no, a list or an object of named values.
/// Typed, so that rendering looks names up in dictionaries and never casts.
public enum TemplateValue: Sendable, Equatable {
    case text(String)
    case number(Int)
    case flag(Bool)
    case list([TemplateValue])
    case object([String: TemplateValue])

    /// A list of texts.
    public static func texts(_ texts: some Sequence<String>) -> TemplateValue {
        .list(texts.map(TemplateValue.text))
    }

    /// Whether a section over the value is rendered: everything but `false`, an empty text or list, and 0.
    var isTruthy: Bool {
        switch self {
        case .text(let text): !text.isEmpty
        case .number(let number): number != 0
        case .flag(let flag): flag
        case .list(let list): !list.isEmpty
        case .object: true
        }
    }

    /// What `{{name}}` writes for the value: texts as they are, numbers in decimal; nothing for the rest.
    func write(to output: inout String) {
        switch self {
        case .text(let text): output += text
        case .number(let number): output += String(number)
        case .flag, .list, .object: break
        }
    }

    /// The member `name` of an object.
    subscript(name: String) -> TemplateValue? {
        guard case .object(let members) = self else { return nil }
        return members[name]
    }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .flag(value) }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
