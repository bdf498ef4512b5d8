import AbuseDeskCore
import Vapor

/// Turns every error into an answer in the dialect of the route it happened on, keeping its status.
/// A 5xx never shows internals: it is logged with the request id, and the answer gives that id.
/// Future-based, so that a request that succeeds costs no Task of its own here (Vapor runs each async
/// middleware in one); only an error is rendered in a Task.
struct ErrorMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).flatMapError { error in
            request.eventLoop.makeFutureWithTask { await render(error, for: request) }
        }.map { Self.withSafeHeaders($0, for: request) }
    }

    /// The last line of defence against response splitting: an answer whose headers hold a line break
    /// or a NUL (which no code here should ever build) is replaced by a 500 and logged.
    static func withSafeHeaders(_ response: Response, for request: Request) -> Response {
        for (name, value) in response.headers where value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) {
            request.logger.critical("Refused to send a header with a line break", metadata: ["header": .string(name)])
            return ReportAPIResponses.json(ReportAPIResponses.error(clientError(from: Abort(.internalServerError), request: request)),
                                           status: .internalServerError)
        }
        return response
    }

    func render(_ error: any Error, for request: Request) async -> Response {
        let clientError = Self.clientError(from: error, request: request)
        if clientError.status.code >= 500 {
            request.logger.error("Request failed", metadata: ["error": "\(String(reflecting: error))"])
        }
        if Self.wantsEnvelope(request) {
            return Envelope.failure(clientError)
        }
        if Self.wantsPage(request) {
            return await page(for: clientError, request: request)
        }
        return ReportAPIResponses.json(ReportAPIResponses.error(clientError), status: clientError.status, headers: clientError.headers)
    }

    /// The Accounts API and the admin API answer in the provider-style envelope.
    static func wantsEnvelope(_ request: Request) -> Bool {
        let path = request.url.path
        return path.hasPrefix("/client/v4/") || path == "/client/v4" || path.hasPrefix("/admin/v1/") || path == "/admin/v1"
    }

    /// API paths answer JSON; everything else answers a page to whoever asks for HTML.
    static func wantsPage(_ request: Request) -> Bool {
        let path = request.url.path
        for prefix in ["/report/v2.0", "/engage/", "/client/v4", "/admin/v1", "/openapi.json", "/healthz", "/readyz", "/metrics"] where path.hasPrefix(prefix) {
            return false
        }
        return path.hasPrefix("/report/") || path == "/" || request.headers.accept.mediaTypes.contains(.html)
    }

    private func page(for error: ClientError, request: Request) async -> Response {
        // An operator is sent back into the console (signing in again when the session ended), everyone else home.
        let home: (String, String) = request.url.path.hasPrefix("/console")
            ? (error.status == .unauthorized ? ("/console/login", "Sign in again") : ("/console/reports", "Back to the queue"))
            : ("/", "Go to the home page")
        let (title, text, link): (String, String, (String, String)?) = switch error.status {
        case .notFound: ("Page not found", "There is no page at this address.", home)
        case .tooManyRequests: ("Too many requests", "You have sent many requests in a short time. \(error.message) Nothing you sent was lost: go back and send it again then.", nil)
        case .payloadTooLarge: ("The upload is too large", "What you sent is larger than we accept: an attachment may be at most 10 MiB. Go back, choose a smaller file and send the report again.", ("/report/abuse", "Open the report form"))
        default:
            error.status.code >= 500
                ? ("Something went wrong", error.message, home)
                : ("The request could not be handled", error.message, home)
        }
        do {
            let response: Response
            if request.url.path.hasPrefix("/console"), await Self.signedIn(request) {
                // An operator stays in the console's frame, with its navigation.
                let message = PortalView.Message(title: title, text: text, linkURL: link?.0, linkText: link?.1, status: error.status.code)
                response = try await ConsoleView.render("message", title: title, nav: "", page: message, status: error.status, for: request)
            } else {
                response = try await PortalView.message(title: title, status: error.status, text: text, link: link, for: request)
            }
            for (name, value) in error.headers { response.headers.replaceOrAdd(name: name, value: value) }
            return response
        } catch {
            return Response(status: .internalServerError, body: .init(string: "Something went wrong on our side."))
        }
    }

    /// Whether an operator is signed in: known already when the console's authentication ran, looked up
    /// when no console route matched (a page that is not there).
    private static func signedIn(_ request: Request) async -> Bool {
        if request.consoleOperator != nil { return true }
        guard let found = try? await request.application.abuseDesk.sessions.current(request) else { return false }
        request.consoleOperator = found
        return true
    }

    /// The client's view of any error.
    static func clientError(from error: any Error, request: Request) -> ClientError {
        // A known path asked with another method: 405, and which methods it takes.
        if error is RouteNotFound, let allowed = request.application.routeTable?.methods(for: request.url.path), !allowed.isEmpty {
            let methods = allowed.map(\.rawValue).joined(separator: ", ")
            return ClientError(status: .methodNotAllowed, code: "MethodNotAllowed",
                               message: "\(request.url.path) does not take \(request.method.rawValue); it answers \(methods).",
                               headers: ["Allow": methods])
        }
        switch error {
        case let error as ClientError:
            return error
        case let error as any AbortError:
            return ClientError(status: error.status, code: code(for: error.status),
                               message: message(for: error, request: request), headers: error.headers)
        default:
            return ClientError(status: .internalServerError, code: "InternalError",
                               message: "Something went wrong on our side. Nothing was changed; if it happens again, tell us request id \(request.id).")
        }
    }

    private static func code(for status: HTTPResponseStatus) -> String {
        switch status {
        case .badRequest: "BadRequest"
        case .notFound: "NotFound"
        case .methodNotAllowed: "MethodNotAllowed"
        case .payloadTooLarge: "PayloadTooLarge"
        case .unsupportedMediaType: "UnsupportedMediaType"
        case .tooManyRequests: "TooManyRequests"
        case .uriTooLong: "URITooLong"
        case .requestHeaderFieldsTooLarge: "HeaderFieldsTooLarge"
        case .gone: "Gone"
        default: status.code >= 500 ? "InternalError" : "Error"
        }
    }

    private static func message(for error: any AbortError, request: Request) -> String {
        switch error.status {
        case .notFound:
            "Nothing is at \(request.method.rawValue) \(request.url.path). The API is described at /openapi.json and /report/developer."
        case .payloadTooLarge:
            "The request body is larger than this endpoint accepts (\(BodyLimits.describe(for: request.url.path)))."
        case .internalServerError:
            "Something went wrong on our side. Nothing was changed; if it happens again, tell us request id \(request.id)."
        default:
            error.reason
        }
    }
}

/// How large a body each endpoint accepts.
enum BodyLimits {
    static let json: ByteCount = "1mb"
    /// The console's sign-in form: an address, a password and two hidden fields.
    static let signIn: ByteCount = "8kb"
    /// The file itself may be 10 MiB; the multipart envelope around it needs a little more.
    static let upload: ByteCount = ByteCount(value: AttachmentKind.maximumSize + 64 * 1024)

    static func describe(for path: String) -> String {
        path.hasSuffix("/file") ? "a file of at most 10 MiB" : "at most 1 MiB"
    }
}
