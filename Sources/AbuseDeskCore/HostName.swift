/// A DNS host name, normalised: lower case, without a trailing dot.
public struct HostName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let value: String

    /// Validates and normalises a host name. Labels are 1–63 characters of letters, digits, `-` and `_`
    /// (letters may be non-ASCII, as in an internationalised name); the whole is at most 253 characters
    /// and has at least two labels, the last of which is not all digits.
    public init?(_ text: some StringProtocol) {
        if let ascii = Self.asciiName(text) {
            value = ascii
            return
        }
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

    /// The common case, checked byte by byte: an all-ASCII name. `nil` means "check the slow way"
    /// (non-ASCII, or not valid — the slow way then says which).
    private static func asciiName(_ text: some StringProtocol) -> String? {
        var bytes = Array(text.utf8)
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        guard !bytes.isEmpty, bytes.count <= 253 else { return nil }
        var labels = 1
        var labelLength = 0
        var labelStart = 0
        var lastLabelAllDigits = true
        for index in bytes.indices {
            var byte = bytes[index]
            if byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") {
                byte += 32
                bytes[index] = byte
            }
            switch byte {
            case UInt8(ascii: "."):
                guard labelLength > 0, labelLength <= 63, bytes[index - 1] != UInt8(ascii: "-") else { return nil }
                labels += 1
                labelLength = 0
                labelStart = index + 1
                lastLabelAllDigits = true
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "_"):
                labelLength += 1
                lastLabelAllDigits = false
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                labelLength += 1
            case UInt8(ascii: "-"):
                guard index != labelStart else { return nil }
                labelLength += 1
                lastLabelAllDigits = false
            default:
                return nil
            }
        }
        guard labels >= 2, labelLength > 0, labelLength <= 63, bytes[bytes.count - 1] != UInt8(ascii: "-"), !lastLabelAllDigits else { return nil }
        return String(decoding: bytes, as: UTF8.self)
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
