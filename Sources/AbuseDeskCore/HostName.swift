/// A DNS host name, normalised: lower case, without a trailing dot.
public struct HostName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let value: String

    /// Validates and normalises a host name. Labels are 1–63 characters of letters, digits, `-` and `_`
    /// (letters may be non-ASCII, as in an internationalised name); the whole is at most 253 characters
    /// and has at least two labels, the last of which is not all digits.
    public init?(_ text: some StringProtocol) {
        var name = text.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        guard !name.isEmpty, name.utf8.count <= 253 else { return nil }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return nil }
        for label in labels {
            guard !label.isEmpty, label.utf8.count <= 63,
                  label.first != "-", label.last != "-",
                  label.unicodeScalars.allSatisfy({ Self.isLabelScalar($0) })
            else { return nil }
        }
        if let last = labels.last, last.allSatisfy(\.isNumber) { return nil }
        value = name
    }

    private static func isLabelScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "0"..."9", "-", "_": true
        default: !scalar.isASCII && (scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            || scalar.properties.generalCategory == .nonspacingMark || scalar.properties.generalCategory == .spacingMark)
        }
    }

    /// The name and each of its parent domains, longest first:
    /// `a.b.example.com`, `b.example.com`, `example.com`, `com`.
    public var suffixes: [Substring] {
        var result: [Substring] = [value[...]]
        var rest = value[...]
        while let dot = rest.firstIndex(of: ".") {
            rest = rest[rest.index(after: dot)...]
            result.append(rest)
        }
        return result
    }

    /// Whether this name is `domain` or lies beneath it.
    public func isWithin(_ domain: HostName) -> Bool {
        value == domain.value || value.hasSuffix("." + domain.value)
    }

    /// The labels in reverse order joined by dots (`com.example.www`), so that every name under a
    /// domain shares a prefix and can be found with an index range scan.
    public var reversed: String {
        value.split(separator: ".").reversed().joined(separator: ".")
    }

    public var description: String { value }

    public static func < (lhs: HostName, rhs: HostName) -> Bool { lhs.value < rhs.value }
}
