import Vapor

/// Refuses requests beyond the per-address limit with 429 and `Retry-After`.
struct RateLimitMiddleware: AsyncMiddleware {
    let limiter: RateLimiter
    let trustForwardedFor: Bool
    let metrics: AppMetrics

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if case .limited(let seconds) = limiter.take(request.clientAddress(trustForwardedFor: trustForwardedFor)) {
            metrics.rateLimited()
            throw ClientError.rateLimited(retryAfter: seconds)
        }
        return try await next.respond(to: request)
    }
}
