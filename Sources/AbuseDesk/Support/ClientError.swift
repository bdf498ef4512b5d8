import AbuseDeskCore
import Vapor

/// An error meant for the client: a status, a stable code, a sentence that says what to do, and the
/// validation problems when there are any. The error middleware renders it in the dialect of the route.
struct ClientError: Error, AbortError, Sendable {
    var status: HTTPResponseStatus
    var code: String
    var message: String
    var problems: [ValidationProblem] = []
    var headers: HTTPHeaders = [:]

    var reason: String { message }

    static func validation(_ failure: ValidationFailure, noun: String = "request") -> ClientError {
        let count = failure.problems.count
        let paths = failure.messagesByPath.map(\.path)
        let message = "The \(noun) has \(count) problem\(count == 1 ? "" : "s"): \(paths.joined(separator: ", "))."
        return ClientError(status: .badRequest, code: "ValidationFailed", message: message, problems: failure.problems)
    }

    static func malformedJSON(_ failure: JSONParser.Failure) -> ClientError {
        ClientError(status: .badRequest, code: "MalformedJSON", message: "The body is not valid JSON: \(failure).")
    }

    static func unsupportedMediaType(expected: String, got: String?) -> ClientError {
        ClientError(status: .unsupportedMediaType, code: "UnsupportedMediaType",
                    message: "Send the body as \(expected); got \(got.map { "\"\($0)\"" } ?? "no Content-Type").")
    }

    static func rateLimited(retryAfter seconds: Int) -> ClientError {
        ClientError(status: .tooManyRequests, code: "TooManyRequests",
                    message: "Too many requests from your address; try again in \(seconds) second\(seconds == 1 ? "" : "s").",
                    headers: ["Retry-After": String(seconds)])
    }

    static func badHeader(_ name: String, _ rule: String) -> ClientError {
        ClientError(status: .badRequest, code: "InvalidHeader", message: "The \(name) header \(rule).")
    }
}
