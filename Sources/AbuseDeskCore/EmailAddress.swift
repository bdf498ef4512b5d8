/// An e-mail address of the form `local@domain`.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    public static let maximumLength = 254

    /// The address as given, with the domain in lower case.
    public let value: String

    /// Accepts the dot-atom local parts that mail systems exchange in practice and a fully qualified
    /// domain (or a bracketed address literal is refused: nobody reports abuse from one).
    public init?(_ text: some StringProtocol) {
        let text = String(text)
        let utf8 = text.utf8
        guard utf8.count <= Self.maximumLength, let at = utf8.lastIndex(of: UInt8(ascii: "@")) else { return nil }
        let local = Substring(text[..<at])
        let domain = text[utf8.index(after: at)...]
        guard !local.isEmpty, local.utf8.count <= 64,
              local.utf8.first != UInt8(ascii: "."), local.utf8.last != UInt8(ascii: "."), !local.contains(".."),
              local.unicodeScalars.allSatisfy(Self.isAtext),
              let host = HostName(domain),
              let lastDot = host.value.utf8.lastIndex(of: UInt8(ascii: ".")),
              host.value.utf8.distance(from: lastDot, to: host.value.utf8.endIndex) >= 3
        else { return nil }
        value = String(local) + "@" + host.value
    }

    private static func isAtext(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", ".", "!", "#", "$", "%", "&", "'", "*", "+", "-", "/", "=", "?", "^", "_", "`", "{", "|", "}", "~":
            true
        default:
            !scalar.isASCII && scalar.properties.isAlphabetic
        }
    }

    public var description: String { value }
}
