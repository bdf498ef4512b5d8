import AbuseDeskCore
import Vapor

/// Turns every error into an answer in the dialect of the route it happened on, keeping its status.
/// A 5xx never shows internals: it is logged with the request id, and the answer gives that id.
struct ErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            return render(error, for: request)
        }
    }

    func render(_ error: any Error, for request: Request) -> Response {
        let clientError = Self.clientError(from: error, request: request)
        if clientError.status.code >= 500 {
            request.logger.error("Request failed", metadata: ["error": "\(String(reflecting: error))"])
        }
        return ReportAPIResponses.json(ReportAPIResponses.error(clientError), status: clientError.status, headers: clientError.headers)
    }

    /// The client's view of any error.
    static func clientError(from error: any Error, request: Request) -> ClientError {
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
    /// The file itself may be 10 MiB; the multipart envelope around it needs a little more.
    static let upload: ByteCount = ByteCount(value: AttachmentKind.maximumSize + 64 * 1024)

    static func describe(for path: String) -> String {
        path.hasSuffix("/file") ? "a file of at most 10 MiB" : "at most 1 MiB"
    }
}
