import NIOConcurrencyHelpers
import NIOCore

/// A token bucket per client address: `perMinute` requests may come in a burst, then one every
/// `60 / perMinute` seconds. What a request turns out to cost beyond its own token (the reports it
/// filed) is charged afterwards and may leave the bucket in debt: the address then waits until it is
/// paid back, so the limit counts reports filed, not requests.
final class RateLimiter: Sendable {
    enum Decision: Equatable {
        case allowed
        /// Refused; a token is back after this many seconds.
        case limited(retryAfter: Int)
    }

    /// What the `RateLimit-*` headers of an answer say.
    struct Standing: Equatable {
        var limit: Int
        var remaining: Int
        /// Seconds until the bucket is full again.
        var reset: Int
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

    private var capacity: Double { Double(perMinute) }
    private var perNanosecond: Double { capacity / 60e9 }

    func take(_ key: String, now: NIODeadline = .now()) -> Decision {
        withBucket(key, now: now) { bucket in
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return .allowed
            }
            return .limited(retryAfter: seconds(until: 1, from: bucket.tokens))
        }
    }

    /// Charges `count` more tokens to `key`, into debt if need be.
    func charge(_ key: String, _ count: Int, now: NIODeadline = .now()) {
        guard count > 0 else { return }
        withBucket(key, now: now) { $0.tokens -= Double(count) }
    }

    func standing(_ key: String, now: NIODeadline = .now()) -> Standing {
        withBucket(key, now: now) { bucket in
            Standing(limit: perMinute, remaining: max(0, Int(bucket.tokens.rounded(.down))),
                     reset: bucket.tokens >= capacity ? 0 : seconds(until: capacity, from: bucket.tokens))
        }
    }

    private func seconds(until level: Double, from tokens: Double) -> Int {
        max(1, Int(((level - tokens) / perNanosecond / 1e9).rounded(.up)))
    }

    private func withBucket<T>(_ key: String, now: NIODeadline, _ body: (inout Bucket) -> T) -> T {
        let capacity = capacity
        let perNanosecond = perNanosecond
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
            return body(&bucket)
        }
    }
}
