import AbuseDeskCore
import Vapor

/// Cross-site request forgery protection for the portal's forms (double-submit): a random token lives
/// in a `SameSite=Strict`, HTTP-only cookie and in a hidden field; a submission must carry both, equal,
/// and, when the browser says where it comes from, come from this site.
enum FormProtection {
    static let cookieName = "abusedesk_form"
    static let fieldName = "_csrf"
    /// The hidden field that people never see and bots fill in.
    static let honeypotName = "website"

    /// The token for a page with a form: the visitor's, or a new one (then set in a cookie on the answer).
    static func token(for request: Request) -> (token: String, isNew: Bool) {
        if let existing = request.cookies[cookieName]?.string, isWellFormed(existing) {
            return (existing, false)
        }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<4).flatMap { _ in withUnsafeBytes(of: generator.next() as UInt64) { Array($0) } }
        return (bytes.hexString, true)
    }

    static func setCookie(_ token: String, on response: Response, secure: Bool) {
        response.cookies[cookieName] = HTTPCookies.Value(string: token, maxAge: 60 * 60 * 12, path: "/", isSecure: secure,
                                                          isHTTPOnly: true, sameSite: .strict)
    }

    /// Whether a submission carries this visitor's token and comes from this site.
    static func verify(_ request: Request, submitted: String?) -> Bool {
        guard sameOrigin(request), let cookie = request.cookies[cookieName]?.string, isWellFormed(cookie), let submitted else {
            return false
        }
        return constantTimeEquals(cookie, submitted)
    }

    /// Whether a submission comes from this site, when the browser says where it comes from.
    static func sameOrigin(_ request: Request) -> Bool {
        guard let origin = request.headers.first(name: .origin), origin != "null" else { return true }
        guard let host = request.headers.first(name: .host) else { return false }
        return URLComponents(string: origin)?.host == host.split(separator: ":").first.map(String.init)
    }

    /// Compares without stopping early, so that timing tells nothing.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && zip(a.utf8, b.utf8).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == 64 && token.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }
}
