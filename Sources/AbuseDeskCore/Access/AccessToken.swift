import Foundation

/// What a token of a customer account may do: `read` for every GET, `edit` to submit reports and appeal.
public enum TokenScope: String, Sendable, CaseIterable, Codable {
    case read
    case edit
}

/// A bearer token: 32 random bytes, shown to its owner once as 43 base64url characters; the store keeps
/// only the SHA-256 of that text, so a leaked database reveals no usable token.
public struct AccessToken: Sendable {
    /// The secret, as the owner sends it in `Authorization: Bearer ...`.
    public let secret: String

    public init() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<4).flatMap { _ in withUnsafeBytes(of: generator.next() as UInt64) { Array($0) } }
        secret = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The stored form of a presented secret.
    public static func hash(_ secret: some StringProtocol) -> String {
        sha256Hex(Array(secret.utf8))
    }

    public var hash: String { Self.hash(secret) }

    /// Whether text could be a token at all (checked before any look-up).
    public static func isWellFormed(_ text: some StringProtocol) -> Bool {
        text.utf8.count == 43 && text.utf8.allSatisfy { byte in
            (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) || byte == 45 || byte == 95
        }
    }
}
