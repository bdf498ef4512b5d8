import NIOConcurrencyHelpers
import NIOCore

/// A token bucket per client address: `perMinute` requests may come in a burst, then one every
/// `60 / perMinute` seconds.
final class RateLimiter: Sendable {
    enum Decision: Equatable {
        case allowed
        /// Refused; a token is back after this many seconds.
        case limited(retryAfter: Int)
    }

    private struct Bucket {
        var tokens: Double
        var updated: NIODeadline
    }

    let perMinute: Int
    private let buckets = NIOLockedValueBox<[String: Bucket]>([:])
    private static let sweepThreshold = 10_000

    init(perMinute: Int) {
        self.perMinute = perMinute
    }

    func take(_ key: String, now: NIODeadline = .now()) -> Decision {
        let capacity = Double(perMinute)
        let perNanosecond = capacity / 60e9
        return buckets.withLockedValue { buckets in
            if buckets.count > Self.sweepThreshold {
                // Forget addresses whose bucket has refilled: they are as good as new.
                buckets = buckets.filter { Double((now - $0.value.updated).nanoseconds) * perNanosecond + $0.value.tokens < capacity }
            }
            var bucket = buckets[key] ?? Bucket(tokens: capacity, updated: now)
            let elapsed = Double(max(0, (now - bucket.updated).nanoseconds))
            bucket.tokens = min(capacity, bucket.tokens + elapsed * perNanosecond)
            bucket.updated = now
            defer { buckets[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return .allowed
            }
            let wait = (1 - bucket.tokens) / perNanosecond / 1e9
            return .limited(retryAfter: max(1, Int(wait.rounded(.up))))
        }
    }
}
