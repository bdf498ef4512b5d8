import Vapor

/// Refuses requests beyond the per-address limit with 429 and `Retry-After`; every answer tells the
/// client where it stands (`RateLimit-Limit`, `-Remaining`, `-Reset`, `RateLimit-Policy`). A request
/// that filed several reports is charged one token for each. It decides without waiting, in the
/// request's task (grouped with `grouped(inTask:)`).
struct RateLimitMiddleware: AsyncMiddleware {
    let limiter: RateLimiter
    let trustForwardedFor: Bool
    let metrics: AppMetrics

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let address = request.clientAddress(trustForwardedFor: trustForwardedFor)
        if case .limited(let seconds) = limiter.take(address) {
            metrics.rateLimited()
            var error = ClientError.rateLimited(retryAfter: seconds)
            for (name, value) in headers(limiter.standing(address)) { error.headers.replaceOrAdd(name: name, value: value) }
            throw error
        }
        // Where the caller stands as this request is let in; a request that filed several reports is
        // charged for them when it is answered, and told where that leaves it.
        var standing = limiter.standing(address)
        let response = try await next.respond(to: request)
        if request.reportsFiled > 1 {
            limiter.charge(address, request.reportsFiled - 1)
            standing = limiter.standing(address)
        }
        for (name, value) in headers(standing) { response.headers.replaceOrAdd(name: name, value: value) }
        return response
    }

    private func headers(_ standing: RateLimiter.Standing) -> [(String, String)] {
        [("RateLimit-Limit", String(standing.limit)), ("RateLimit-Remaining", String(standing.remaining)),
         ("RateLimit-Reset", String(standing.reset)), ("RateLimit-Policy", "\(standing.limit);w=60")]
    }
}

extension Request {
    private struct ReportsFiledKey: StorageKey {
        typealias Value = Int
    }

    /// How many reports this request filed; the public rate limit charges each of them.
    var reportsFiled: Int {
        get { storage[ReportsFiledKey.self] ?? 0 }
        set { storage[ReportsFiledKey.self] = newValue }
    }
}
