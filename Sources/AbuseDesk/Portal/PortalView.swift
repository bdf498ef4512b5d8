import Leaf
import Vapor

/// Renders the portal's pages with the headers every page gets: no framing, scripts and styles only
/// from this site, no content sniffing.
enum PortalView {
    static let securityHeaders: [(String, String)] = [
        ("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
    ]

    static func render(_ template: String, _ context: some Encodable, for request: Request, status: HTTPResponseStatus = .ok) async throws -> Response {
        let view = try await request.view.render(template, context)
        let response = response(view.data, status: status)
        if request.isServedOverHTTPS {
            // Browsers that saw the site over HTTPS never fall back to plain HTTP for a year.
            response.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000")
        }
        return response
    }

    static func response(_ html: ByteBuffer, status: HTTPResponseStatus) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .html
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        for (name, value) in securityHeaders { headers.replaceOrAdd(name: name, value: value) }
        return Response(status: status, headers: headers, body: .init(buffer: html))
    }

    struct Message: Encodable {
        let title: String
        let nav = ""
        let text: String
        let linkURL: String?
        let linkText: String?
        let status: UInt
    }

    /// A page with a title and a sentence: refusals, errors, limits.
    static func message(title: String, status: HTTPResponseStatus, text: String, link: (url: String, text: String)? = nil,
                        for request: Request) async throws -> Response {
        try await render("message", Message(title: title, text: text, linkURL: link?.url, linkText: link?.text, status: status.code),
                         for: request, status: status)
    }
}

extension Request {
    /// Whether people reach the service over HTTPS (`ABUSEDESK_PUBLIC_URL` is an `https://` address):
    /// then cookies are `Secure` and pages send HSTS. Behind a proxy that ends TLS, the request itself
    /// cannot tell.
    var isServedOverHTTPS: Bool { application.abuseDesk.config.isHTTPS }
}
