import Foundation

/// Unguessable identifiers for reports, attachments and other records.
///
/// 26 characters of Crockford's base32 (lower case): 9 for the time of creation in milliseconds,
/// then 17 carrying 85 random bits from the system's secure generator. Nobody can guess another
/// report's id or count how many exist, and because ids grow with time, the indexes keyed by them
/// take new rows at their end instead of at random pages — which keeps intake fast.
public enum Identifier {
    static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)
    static let timeCharacters = 9
    static let randomCharacters = 17
    public static let length = timeCharacters + randomCharacters

    public static func make(at date: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(at: date, using: &generator)
    }

    public static func make(at date: Date, using generator: inout some RandomNumberGenerator) -> String {
        var bytes = [UInt8](repeating: 0, count: length)
        var time = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        for position in stride(from: timeCharacters - 1, through: 0, by: -1) {
            bytes[position] = alphabet[Int(time & 31)]
            time >>= 5
        }
        // 85 random bits: 12 characters from one word, 5 from another.
        var high = generator.next() as UInt64
        var low = generator.next() as UInt64
        for position in timeCharacters..<length {
            if position < timeCharacters + 12 {
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
