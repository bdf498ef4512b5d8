/// An e-mail address of the form `local@domain`.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    public static let maximumLength = 254

    /// The address as given, with the domain in lower case.
    public let value: String

    /// Accepts the dot-atom local parts that mail systems exchange in practice and a fully qualified
    /// domain (or a bracketed address literal is refused: nobody reports abuse from one).
    public init?(_ text: some StringProtocol) {
        guard text.utf8.count <= Self.maximumLength, let at = text.lastIndex(of: "@") else { return nil }
        let local = text[..<at]
        let domain = text[text.index(after: at)...]
        guard !local.isEmpty, local.utf8.count <= 64,
              local.first != ".", local.last != ".", !local.contains(".."),
              local.unicodeScalars.allSatisfy(Self.isAtext),
              let host = HostName(domain),
              let tld = host.value.split(separator: ".").last, tld.count >= 2
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
