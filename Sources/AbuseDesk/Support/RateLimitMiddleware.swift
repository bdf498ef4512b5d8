import Vapor

/// Refuses requests beyond the per-address limit with 429 and `Retry-After`. Future-based, like the
/// request log: it decides without waiting, and needs no Task of its own.
struct RateLimitMiddleware: Middleware {
    let limiter: RateLimiter
    let trustForwardedFor: Bool
    let metrics: AppMetrics

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        if case .limited(let seconds) = limiter.take(request.clientAddress(trustForwardedFor: trustForwardedFor)) {
            metrics.rateLimited()
            return request.eventLoop.makeFailedFuture(ClientError.rateLimited(retryAfter: seconds))
        }
        return next.respond(to: request)
    }
}
