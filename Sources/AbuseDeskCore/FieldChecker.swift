/// Reads typed values out of a JSON object while collecting every problem it meets.
///
/// Shared by the validators of every intake channel, so that a rule — and its message — is written once.
public struct FieldChecker: Sendable {
    public private(set) var problems: [ValidationProblem] = []

    public init() {}

    public mutating func problem(_ path: String, _ code: ValidationProblem.Code, _ message: String) {
        problems.append(ValidationProblem(path: path, code: code, message: message))
    }

    /// Reports each property that is not in `allowed`, with what to do instead when it is a known
    /// removed property, or the allowed property it was probably meant to be.
    public mutating func rejectUnknown(in object: JSONObject, allowed: [String], removed: [String: String], path prefix: String) {
        // Small lists: comparing is cheaper than hashing every key into a set.
        for (key, _) in object where !allowed.contains(key) {
            if let advice = removed[key] {
                problem(prefix + key, .removedProperty, advice)
            } else if let suggestion = Self.closest(to: key, in: allowed) {
                problem(prefix + key, .unknownProperty, "Is not a property here; did you mean \(quoted(suggestion))?")
            } else if allowed.count <= 6 {
                problem(prefix + key, .unknownProperty, "Is not a property here; the properties are \(quotedList(allowed)).")
            } else {
                problem(prefix + key, .unknownProperty, "Is not a property here; leave it out. The schema is at /report/developer and /openapi.json.")
            }
        }
    }

    // MARK: Scalars

    /// A trimmed string of `length` characters. Absent, `null` and blank mean "not given".
    public mutating func string(_ object: JSONObject, _ key: String, path prefix: String = "",
                                required requirement: @autoclosure () -> String? = nil, length: ClosedRange<Int>,
                                multiline: Bool = false) -> String? {
        let path = prefix + key
        let value = object[key]
        if value.isAbsent {
            if let requirement = requirement() { problem(path, .required, "Required: \(requirement).") }
            return nil
        }
        guard case .string(let raw)? = value else {
            problem(path, .type, "Must be a string; got \(value?.typeName ?? "nothing").")
            return nil
        }
        let text = raw.trimmingWhitespace()
        let count = text.count
        if count > length.upperBound {
            problem(path, .length, "Must be at most \(length.upperBound) characters; got \(count).")
            return nil
        }
        if count < length.lowerBound {
            problem(path, .length, "Must be at least \(length.lowerBound) characters; got \(count).")
            return nil
        }
        if text.containsControlCharacter(allowingLineBreaks: multiline) {
            problem(path, .format, multiline ? "Must not contain control characters other than line breaks and tabs." : "Must be one line without control characters.")
            return nil
        }
        if !text.isEmpty, !text.hasVisibleCharacter {
            let first = text.unicodeScalars.first.map { "U+" + String($0.value, radix: 16, uppercase: true).leftPadded(to: 4) } ?? ""
            problem(path, .format, "Must contain visible characters; got only invisible or formatting ones (such as \(first)).")
            return nil
        }
        return text
    }

    /// A telephone number as people write one: digits, spaces and `+ - ( ) . /`, with an extension
    /// (`x12`, `ext. 12`) allowed at the end.
    public mutating func phone(_ object: JSONObject, _ key: String, path prefix: String = "", required requirement: String? = nil,
                               length: ClosedRange<Int>) -> String? {
        guard let text = string(object, key, path: prefix, required: requirement, length: length) else { return nil }
        let lowered = text.lowercased()
        let number = lowered.range(of: "ext").map { lowered[..<$0.lowerBound] } ?? lowered.firstIndex(of: "x").map { lowered[..<$0] } ?? lowered[...]
        let extensionPart = lowered[number.endIndex...].drop { "ext. x".contains($0) }
        let digits = number.filter(\.isASCII).filter(\.isNumber).count
        guard digits >= 3, number.allSatisfy({ $0.isASCII && ($0.isNumber || " +-()./".contains($0)) }),
              extensionPart.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            problem(prefix + key, .format, "Must be a telephone number such as +1 555 0100: digits, spaces and + - ( ) . /; got \(quoted(text)).")
            return nil
        }
        return text
    }

    public mutating func email(_ object: JSONObject, _ key: String, path prefix: String = "",
                               required: Bool = true) -> EmailAddress? {
        let requirement = required ? "an e-mail address such as name@example.com" : nil
        guard let text = string(object, key, path: prefix, required: requirement, length: 1...EmailAddress.maximumLength) else { return nil }
        guard let address = EmailAddress(text) else {
            problem(prefix + key, .format, "Must be an e-mail address such as name@example.com; got \(quoted(text)).")
            return nil
        }
        return address
    }

    /// The value of `key` when it is given; when it is absent, `null` or blank, nil and the problem
    /// "Required: <requirement>." For values that a parser of their own reads next.
    public mutating func required(_ object: JSONObject, _ key: String, path prefix: String = "", _ requirement: String) -> JSONValue? {
        guard !object[key].isAbsent, let value = object[key] else {
            problem(prefix + key, .required, "Required: \(requirement).")
            return nil
        }
        return value
    }

    /// One of `options`, matched without regard to case; answers the option as written in `options`.
    /// With `required`, an absent value is the problem "Required: <requirement>."
    public mutating func choice(_ object: JSONObject, _ key: String, _ options: [String], path prefix: String = "",
                                required requirement: String? = nil) -> String? {
        guard let text = string(object, key, path: prefix, required: requirement, length: 1...200) else { return nil }
        if let match = options.first(where: { $0.equalsIgnoringCase(text) }) { return match }
        problem(prefix + key, .notAllowed, "Must be one of \(quotedList(options)); got \(quoted(text)).")
        return nil
    }

    public mutating func bool(_ object: JSONObject, _ key: String, path prefix: String = "") -> Bool? {
        switch object[key] {
        case .none, .null?: return nil
        case .bool(let value)?: return value
        case .string(let text)?:
            problem(prefix + key, .type, "Must be true or false as a JSON boolean, not a string; got \(quoted(text)).")
        case let other?:
            problem(prefix + key, .type, "Must be true or false; got \(other.typeName).")
        }
        return nil
    }

    /// A port number sent as a string, `"1"` to `"65535"`.
    public mutating func port(_ object: JSONObject, _ key: String, path prefix: String = "") -> Int? {
        guard let text = string(object, key, path: prefix, length: 1...40) else { return nil }
        guard text.count <= 5, text.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(text), (1...65535).contains(port) else {
            problem(prefix + key, .format, "Must be a port number from 1 to 65535, written as a string such as \"443\"; got \(quoted(text)).")
            return nil
        }
        return port
    }

    /// An IP address; with `publicOnly`, private, loopback and other non-public addresses are refused.
    public mutating func ipAddress(_ object: JSONObject, _ key: String, path prefix: String = "", publicOnly: Bool) -> IPAddress? {
        guard let text = string(object, key, path: prefix, length: 1...64) else { return nil }
        guard let address = IPAddress(text) else {
            problem(prefix + key, .format, "Must be an IPv4 or IPv6 address such as 203.0.113.7 or 2001:db8::7; got \(quoted(text)).")
            return nil
        }
        if publicOnly, let reason = address.nonPublicReason {
            problem(prefix + key, .notAllowed, "\(quoted(text)) is \(reason); give the public address the abuse came from.")
            return nil
        }
        return address
    }

    public mutating func url(_ object: JSONObject, _ key: String, path prefix: String = "") -> ReportedURL? {
        guard let text = string(object, key, path: prefix, length: 1...Int.max) else { return nil }
        switch ReportedURL.parse(text) {
        case .success(let url):
            return url
        case .failure(let failure):
            problem(prefix + key, .format, "Must be an absolute http or https URL with a host, e.g. https://example.com/login; \(quoted(text)) \(failure.reason).")
            return nil
        }
    }

    /// An array of at most `maximum` entries; absent means empty.
    public mutating func list(_ object: JSONObject, _ key: String, path prefix: String = "", maximum: Int = ReportValidator.maximumListEntries) -> [JSONValue] {
        switch object[key] {
        case .none, .null?:
            return []
        case .array(let items)?:
            guard items.count <= maximum else {
                problem(prefix + key, .tooMany, "Must have at most \(maximum) entries; got \(items.count). Split the report.")
                return []
            }
            return items
        case let other?:
            problem(prefix + key, .type, "Must be an array; got \(other.typeName).")
            return []
        }
    }

    // MARK: Targets

    /// The address target of `sourceIp`, `sourcePort`, `destinationIp` and `destinationPort`.
    mutating func ipTarget(_ object: JSONObject, path prefix: String) -> ReportTarget? {
        let source = ipAddress(object, "sourceIp", path: prefix, publicOnly: true)
        let sourcePort = port(object, "sourcePort", path: prefix)
        let destination = ipAddress(object, "destinationIp", path: prefix, publicOnly: false)
        let destinationPort = port(object, "destinationPort", path: prefix)
        if object["sourceIp"].isAbsent {
            // Inside a list entry the missing sourceIp is reported by the caller.
            if prefix.isEmpty {
                for key in ["sourcePort", "destinationIp", "destinationPort"] where !object[key].isAbsent {
                    problem(key, .required, "Give sourceIp as well: \(key) describes the traffic from sourceIp.")
                }
            }
            return nil
        }
        let complete = (sourcePort != nil || object["sourcePort"].isAbsent)
            && (destination != nil || object["destinationIp"].isAbsent)
            && (destinationPort != nil || object["destinationPort"].isAbsent)
        guard let source, complete else { return nil }
        return ReportTarget(source: .ip(source, port: sourcePort), destinationIP: destination, destinationPort: destinationPort)
    }

    /// The URL target of `sourceUrl` and `destinationUrl`.
    mutating func urlTarget(_ object: JSONObject, path prefix: String) -> ReportTarget? {
        let source = url(object, "sourceUrl", path: prefix)
        let destination = url(object, "destinationUrl", path: prefix)
        if object["sourceUrl"].isAbsent {
            if prefix.isEmpty, !object["destinationUrl"].isAbsent {
                problem("destinationUrl", .required, "Give sourceUrl as well: destinationUrl is where sourceUrl leads.")
            }
            return nil
        }
        guard let source, destination != nil || object["destinationUrl"].isAbsent else { return nil }
        return ReportTarget(source: .url(source), destinationURL: destination)
    }

    // MARK: Suggestions

    /// The allowed name a mistyped one was probably meant to be.
    public static func closest(to key: String, in allowed: [String]) -> String? {
        let lowered = key.lowercased()
        if let match = allowed.first(where: { $0.lowercased() == lowered }) { return match }
        guard key.count > 3 else { return nil }
        let scored = allowed.map { ($0, editDistance(lowered, $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 2 else { return nil }
        return best.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

// MARK: - Message helpers

/// A value quoted for a message, shortened when long.
public func quoted(_ text: some StringProtocol) -> String {
    let limit = 80
    let shown = text.count > limit ? String(text.prefix(limit)) + "…" : String(text)
    return "\"" + shown + "\""
}

/// `"a", "b" and "c"`
public func quotedList(_ items: [String]) -> String {
    let quotedItems = items.map { "\"\($0)\"" }
    guard quotedItems.count > 1, let last = quotedItems.last else { return quotedItems.first ?? "(none)" }
    return quotedItems.dropLast().joined(separator: ", ") + " or " + last
}

extension String {
    func equalsIgnoringCase(_ other: String) -> Bool {
        lowercased() == other.lowercased()
    }

    /// The string without leading and trailing white space and line breaks.
    public func trimmingWhitespace() -> String {
        // Most values need no trimming: answer them without walking their characters.
        if let first = utf8.first, let last = utf8.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80 { return self }
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }

    /// Whether the string shows anything: a name of only format characters (a right-to-left override,
    /// zero-width spaces), spaces or fillers is blank to a person.
    var hasVisibleCharacter: Bool {
        let fillers: Set<UInt32> = [0x115F, 0x1160, 0x180E, 0x2800, 0x3164, 0xFFA0]
        return unicodeScalars.contains { scalar in
            switch scalar.properties.generalCategory {
            case .format, .control, .spaceSeparator, .lineSeparator, .paragraphSeparator, .nonspacingMark, .enclosingMark,
                 .unassigned, .privateUse, .surrogate:
                false
            default:
                !scalar.properties.isWhitespace && !fillers.contains(scalar.value)
            }
        }
    }

    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }

    /// Whether the string holds a control character (Unicode category Cc: U+0000–U+001F, U+007F–U+009F),
    /// optionally allowing line feed, carriage return and tab.
    func containsControlCharacter(allowingLineBreaks: Bool) -> Bool {
        var previous: UInt8 = 0
        for byte in utf8 {
            if byte < 0x20 {
                if !(allowingLineBreaks && (byte == 0x0A || byte == 0x0D || byte == 0x09)) { return true }
            } else if byte == 0x7F || (previous == 0xC2 && byte >= 0x80 && byte <= 0x9F) {
                return true
            }
            previous = byte
        }
        return false
    }
}
