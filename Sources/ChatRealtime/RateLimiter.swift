import NIOCore

/// A token bucket: `burst` messages at once, refilled at `perSecond`. Confined to one event loop.
struct RateLimiter {
    private let burst: Double
    private let perSecond: Double
    private var tokens: Double
    private var last: NIODeadline

    init(burst: Int, perSecond: Int) {
        self.burst = Double(burst)
        self.perSecond = Double(perSecond)
        self.tokens = Double(burst)
        self.last = .now()
    }

    mutating func allow() -> Bool {
        let now = NIODeadline.now()
        let elapsed = Double((now - last).nanoseconds) / 1_000_000_000
        last = now
        tokens = min(burst, tokens + elapsed * perSecond)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
