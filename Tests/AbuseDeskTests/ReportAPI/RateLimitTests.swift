import Foundation
import NIOCore
import Testing
import Vapor
@testable import AbuseDesk

@Suite struct RateLimitTests {
    @Test func answers429WithRetryAfterBeyondTheLimit() async throws {
        try await withTestApp(configure: { $0.rateLimitPerMinute = 3 }) { app in
            for _ in 0..<3 {
                #expect(try await app.send(.POST, "/report/v2.0/abuse", json: Reports.ip(["testSubmission": true])).status == .ok)
            }
            let limited = try await app.send(.POST, "/report/v2.0/abuse", json: Reports.ip())
            #expect(limited.status == .tooManyRequests)
            #expect(try limited.json["code"] == "TooManyRequests")
            let retryAfter = try #require(limited.headers.first(name: "Retry-After").flatMap(Int.init))
            #expect((1...20).contains(retryAfter))
            #expect(try await app.count("reports") == 0)
            // The limit covers the whole public API, not the service endpoints.
            #expect(try await app.send(.GET, "/report/v2.0/taxonomy").status == .tooManyRequests)
            #expect(try await app.send(.GET, "/healthz").status == .ok)
            #expect(try await app.send(.GET, "/openapi.json").status == .ok)
        }
    }

    @Test func bucketsRefillAndAreKeptPerAddress() {
        let limiter = RateLimiter(perMinute: 60)
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        for _ in 0..<60 { #expect(limiter.take("a", now: start) == .allowed) }
        #expect(limiter.take("a", now: start) == .limited(retryAfter: 1))
        #expect(limiter.take("b", now: start) == .allowed)
        #expect(limiter.take("a", now: start + .seconds(1)) == .allowed)
        #expect(limiter.take("a", now: start + .seconds(1)) == .limited(retryAfter: 1))
    }

    @Test func forwardedAddressesOnlyBehindATrustedProxy() async throws {
        try await withTestApp(configure: { $0.rateLimitPerMinute = 1; $0.trustForwardedFor = true }) { app in
            let first = try await app.send(.GET, "/report/v2.0/taxonomy", headers: ["X-Forwarded-For": "198.51.100.1, 10.0.0.1"])
            let other = try await app.send(.GET, "/report/v2.0/taxonomy", headers: ["X-Forwarded-For": "198.51.100.2"])
            let again = try await app.send(.GET, "/report/v2.0/taxonomy", headers: ["X-Forwarded-For": "198.51.100.1"])
            #expect(first.status == .ok)
            #expect(other.status == .ok)
            #expect(again.status == .tooManyRequests)
        }
    }
}
