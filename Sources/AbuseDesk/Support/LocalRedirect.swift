import Vapor

/// Where this site's redirects may lead: a path of this site, written only with the characters a URL
/// path and query use (RFC 3986), so that a `Location` header built from it can never carry a line
/// break, a quote or another site's address. Anything else is refused, never repaired.
enum LocalRedirect {
    static let maximumLength = 2048

    /// Whether `path` is a path of this site (`/...`, not `//host` or `/\host`) of URL characters only.
    static func isLocalPath(_ path: String) -> Bool {
        let bytes = path.utf8
        guard bytes.count <= maximumLength, bytes.first == UInt8(ascii: "/") else { return false }
        if bytes.count > 1 {
            let second = bytes[bytes.index(after: bytes.startIndex)]
            guard second != UInt8(ascii: "/"), second != UInt8(ascii: "\\") else { return false }
        }
        return bytes.allSatisfy(isURLCharacter)
    }

    /// Where to go after signing in: the console page asked for, or the console's start.
    static func console(_ next: String?) -> String {
        guard let next, isLocalPath(next), isWithin(next, "/console"), !isWithin(next, "/console/login") else { return "/console" }
        return next
    }

    /// `path` is `prefix` itself or below it (`/console`, `/console/...`, `/console?...`).
    private static func isWithin(_ path: String, _ prefix: String) -> Bool {
        guard path.hasPrefix(prefix) else { return false }
        let rest = path.utf8.dropFirst(prefix.utf8.count)
        return rest.isEmpty || rest.first == UInt8(ascii: "/") || rest.first == UInt8(ascii: "?")
    }

    /// Unreserved, sub-delimiters, `:`, `@`, `/`, `?` and `%` (of escapes): RFC 3986's path and query.
    private static func isURLCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "-._~!$&'()*+,;=:@/?%".utf8.contains(byte)
        }
    }
}

extension Request {
    /// A 303 to a path of this site. A path that is not one (which no caller should build) goes to the
    /// home page instead, and is logged: no header is ever built from unchecked text.
    func redirect(toLocal path: String) -> Response {
        guard LocalRedirect.isLocalPath(path) else {
            logger.error("Refused to redirect to a path that is not a plain local path")
            return redirect(to: "/", redirectType: .normal)
        }
        return redirect(to: path, redirectType: .normal)
    }
}
