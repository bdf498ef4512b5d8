import Foundation

/// A DNS host name in the one form every comparison uses: IDNA A-labels (`bücher.example` is
/// `xn--bcher-kva.example`), lower case, without a trailing dot. Names are stored, matched, routed and
/// compared for duplicates in this form, so that how a reporter spelled a name never decides where its
/// report goes.
public struct HostName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let value: String

    /// Validates and normalises a host name. Labels are 1–63 characters of letters, digits, `-` and `_`
    /// (a label with other letters, as in an internationalised name, is written as its A-label); the
    /// whole is at most 253 characters and has at least two labels, the last of which is not all digits.
    public init?(_ text: some StringProtocol) {
        if let ascii = Self.asciiName(text) {
            value = ascii
            return
        }
        guard let name = Self.aLabels(String(text)) else { return nil }
        value = name
    }

    /// The A-label form of an internationalised name: dots of other scripts become `.`, the name is
    /// lower-cased and mapped to its compatibility composition (NFKC, as IDNA's mapping does for the
    /// names people type), and each label with other letters is Punycode-encoded.
    private static func aLabels(_ text: String) -> String? {
        let dotted = text.replacingOccurrences(of: "\u{3002}", with: ".").replacingOccurrences(of: "\u{FF61}", with: ".")
        let name = dotted.lowercased().precomposedStringWithCompatibilityMapping
        var labels: [String] = []
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            if label.unicodeScalars.allSatisfy(\.isASCII) {
                labels.append(String(label))
                continue
            }
            guard label.first != "-", label.last != "-", label.unicodeScalars.allSatisfy(isLabelScalar),
                  let encoded = Punycode.encode(label) else { return nil }
            labels.append("xn--" + encoded)
        }
        // The encoded name is checked as every ASCII name is: label and name lengths, characters, the last label.
        return asciiName(labels.joined(separator: "."))
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
