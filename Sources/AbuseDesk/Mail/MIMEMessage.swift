import Foundation

/// An e-mail in RFC 5322 / MIME form: headers and a UTF-8 plain-text body in quoted-printable, so that
/// the whole message is 7-bit and survives any transport.
struct MIMEMessage: Sendable {
    var from: String
    var to: String
    var subject: String
    var body: String
    var date: Date
    var messageID: String

    /// The message with CRLF line ends.
    var rendered: String {
        let headers = [
            "From: \(from)",
            "To: \(to)",
            "Subject: \(Self.encodeHeader(subject))",
            "Date: \(Self.rfc5322Date(date))",
            "Message-ID: <\(messageID)>",
            // Written by the service itself: auto-responders should not answer it (RFC 3834).
            "Auto-Submitted: auto-generated",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
        ]
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + Self.quotedPrintable(body) + "\r\n"
    }

    /// RFC 2047 encoded-words for non-ASCII header text.
    static func encodeHeader(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 >= 0x80 || $0 < 0x20 }) else { return text }
        // Split on character boundaries so that no encoded-word exceeds 75 characters.
        var words: [String] = []
        var current = ""
        for character in text {
            let candidate = current + String(character)
            if Data(candidate.utf8).base64EncodedString().count > 60 {
                words.append(current)
                current = String(character)
            } else {
                current = candidate
            }
        }
        if !current.isEmpty { words.append(current) }
        return words.map { "=?UTF-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    /// RFC 2045 quoted-printable, lines at most 76 characters, CRLF line ends.
    static func quotedPrintable(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var lines: [String] = []
        for line in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            var encoded: [UInt8] = []
            var length = 0
            let bytes = Array(line.utf8)
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                var piece: [UInt8]
                if (byte >= 33 && byte <= 126 && byte != 61) || (byte == 32 && !isLast) || (byte == 9 && !isLast) {
                    piece = [byte]
                } else {
                    piece = [61, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
                }
                if length + piece.count > 75 {
                    encoded += [61, 13, 10]  // soft line break
                    length = 0
                }
                encoded += piece
                length += piece.count
            }
            lines.append(String(decoding: encoded, as: UTF8.self))
        }
        return lines.joined(separator: "\r\n")
    }

    static func rfc5322Date(_ date: Date) -> String {
        HTTPDate.format(date).replacingOccurrences(of: " GMT", with: " +0000")
    }
}
