import Vapor

/// Logs every request once it is answered: method, path (never the query, which may carry secrets),
/// status and duration, with the request id that `req.logger` carries.
/// Future-based rather than async: Vapor runs each async middleware in a Task of its own, and this one
/// sees every request.
struct RequestLogMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let started = ContinuousClock.now
        return next.respond(to: request).always { result in
            let status = switch result {
            case .success(let response): response.status.code
            case .failure(let error): (error as? any AbortError)?.status.code ?? 500
            }
            log(request, status: status, started: started)
        }
    }

    private func log(_ request: Request, status: UInt, started: ContinuousClock.Instant) {
        let elapsed = (ContinuousClock.now - started).components
        let milliseconds = Double(elapsed.seconds) * 1000 + Double(elapsed.attoseconds) / 1e15
        // A path is logged as far as a person reads one: a refused 8 KiB path is not copied into the log.
        let path = request.url.path.utf8.count > 256 ? String(request.url.path.prefix(256)) + "…" : request.url.path
        request.logger.info("\(request.method.rawValue) \(path) \(status)", metadata: [
            "http.status": "\(status)",
            "http.duration_ms": "\((milliseconds * 1000).rounded() / 1000)",
        ])
    }
}
