import Vapor

/// Answers requests whose address or headers are larger than any client of ours sends: 414 for an
/// address (path and query) over 8 KiB, 431 for a header over 8 KiB or all of them over 32 KiB. A head
/// larger than 80 KiB never reaches here: SwiftNIO's parser refuses it and closes the connection, as
/// Vapor gives no way to answer before its parser does.
struct RequestSizeLimitMiddleware: Middleware {
    static let maximumURLBytes = 8 * 1024
    static let maximumHeaderBytes = 8 * 1024
    static let maximumHeadersBytes = 32 * 1024

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        if let refusal = Self.refusal(request) { return request.eventLoop.makeFailedFuture(refusal) }
        return next.respond(to: request)
    }

    static func refusal(_ request: Request) -> ClientError? {
        let urlBytes = request.url.path.utf8.count + (request.url.query?.utf8.count ?? 0)
        if urlBytes > maximumURLBytes {
            return ClientError(status: .uriTooLong, code: "URITooLong",
                               message: "The address is \(urlBytes) bytes long; at most \(maximumURLBytes) are accepted. Send long values in the body.")
        }
        var total = 0
        for (name, value) in request.headers {
            let size = name.utf8.count + value.utf8.count
            if size > maximumHeaderBytes {
                return ClientError(status: .requestHeaderFieldsTooLarge, code: "HeaderFieldsTooLarge",
                                   message: "The \(String(name.prefix(64))) header is \(size) bytes; a header may be at most \(maximumHeaderBytes).")
            }
            total += size
        }
        if total > maximumHeadersBytes {
            return ClientError(status: .requestHeaderFieldsTooLarge, code: "HeaderFieldsTooLarge",
                               message: "The headers are \(total) bytes together; at most \(maximumHeadersBytes) are accepted.")
        }
        return nil
    }
}
