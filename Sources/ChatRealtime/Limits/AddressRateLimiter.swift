import NIOConcurrencyHelpers
import NIOCore

/// Token buckets per client address for one limit (`Limits.Rate`). On one node: each node counts
/// its own clients (behind a balancer a client's rate is the sum over the nodes it reaches).
package final class AddressRateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var last: NIODeadline
    }

    package let rate: Limits.Rate
    private let buckets = NIOLockedValueBox<[String: Bucket]>([:])
    /// Past this many addresses, full buckets are forgotten (they hold nothing).
    private static let pruneAbove = 10_000

    package init(_ rate: Limits.Rate) { self.rate = rate }

    /// Takes one from `address`'s bucket; nil when allowed, else the seconds until one is back.
    package func take(_ address: String, now: NIODeadline = .now()) -> Int? {
        guard rate.perMinute > 0 else { return nil }
        let burst = Double(rate.perMinute)
        let perSecond = burst / max(1, rate.refillSeconds)
        return buckets.withLockedValue { buckets in
            var bucket = buckets[address] ?? Bucket(tokens: burst, last: now)
            let elapsed = Double((now - bucket.last).nanoseconds) / 1e9
            bucket.tokens = min(burst, bucket.tokens + max(0, elapsed) * perSecond)
            bucket.last = now
            defer {
                buckets[address] = bucket
                if buckets.count > Self.pruneAbove { Self.prune(&buckets, now: now, burst: burst, perSecond: perSecond) }
            }
            guard bucket.tokens >= 1 else { return max(1, Int(((1 - bucket.tokens) / perSecond).rounded(.up))) }
            bucket.tokens -= 1
            return nil
        }
    }

    private static func prune(_ buckets: inout [String: Bucket], now: NIODeadline, burst: Double, perSecond: Double) {
        buckets = buckets.filter { _, bucket in
            bucket.tokens + Double((now - bucket.last).nanoseconds) / 1e9 * perSecond < burst
        }
    }
}
