/// Unguessable identifiers for reports, attachments and other records.
///
/// 20 characters of Crockford's base32 carry 100 random bits from the system's secure generator:
/// ids can be shown to anyone without revealing how many records exist or letting anyone guess another.
public enum Identifier {
    static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)
    public static let length = 20

    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    public static func random(using generator: inout some RandomNumberGenerator) -> String {
        var high = generator.next() as UInt64
        var low = generator.next() as UInt64
        var bytes = [UInt8](repeating: 0, count: length)
        for position in 0..<length {
            // 5 bits at a time: 12 characters from one word, 8 from the other.
            if position < 12 {
                bytes[position] = alphabet[Int(high & 31)]
                high >>= 5
            } else {
                bytes[position] = alphabet[Int(low & 31)]
                low >>= 5
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `text` has the form of an identifier (it may still name nothing).
    public static func isWellFormed(_ text: some StringProtocol) -> Bool {
        text.utf8.count == length && text.utf8.allSatisfy { alphabet.contains($0) }
    }
}
