import Vapor

/// Logs every request once it is answered: method, path (never the query, which may carry secrets),
/// status and duration, with the request id that `req.logger` carries.
struct RequestLogMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next.respond(to: request)
            log(request, status: response.status.code, started: started)
            return response
        } catch {
            let status = (error as? any AbortError)?.status.code ?? 500
            log(request, status: status, started: started)
            throw error
        }
    }

    private func log(_ request: Request, status: UInt, started: ContinuousClock.Instant) {
        let elapsed = (ContinuousClock.now - started).components
        let milliseconds = Double(elapsed.seconds) * 1000 + Double(elapsed.attoseconds) / 1e15
        request.logger.info("\(request.method.rawValue) \(request.url.path) \(status)", metadata: [
            "http.status": "\(status)",
            "http.duration_ms": "\((milliseconds * 1000).rounded() / 1000)",
        ])
    }
}
