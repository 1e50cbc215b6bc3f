/// The contract's limits ("Limits"), set once at boot; each is a setting in the README's table.
package struct Limits: Sendable {
    /// A rate per client address: `perMinute` at once, then refilled at `perMinute` every
    /// `refillSeconds` (60: a minute); 0 turns it off. (The tests that count refusals in real time
    /// refill over an hour: a slow run must not get a token back between two of their requests.)
    package struct Rate: Sendable {
        package var perMinute: Int
        package var refillSeconds: Double

        package init(perMinute: Int, refillSeconds: Double = 60) {
            self.perMinute = perMinute
            self.refillSeconds = refillSeconds
        }

        package static let off = Rate(perMinute: 0)
    }

    /// New sessions (`POST /chat/start-session/` without a visitor token of the business), logins
    /// and uploads per address.
    package var startSession = Rate(perMinute: 60)
    package var login = Rate(perMinute: 10)
    package var upload = Rate(perMinute: 30)
    /// Open sockets per client address and per session (0: no cap).
    package var socketsPerAddress = 500
    package var socketsPerSession = 20
    /// Open sockets on this node in all (0: no cap). At boot, 0 becomes what the process's
    /// descriptor limit leaves room for (`SocketBudget`): past it the upgrade is answered 429
    /// instead of the process running out of descriptors (which crashed it inside libdispatch).
    package var socketsTotal = 0
    /// What may wait to be written to one socket whose peer stopped reading, in bytes.
    package var outboundBytes = 1 << 20
    /// A socket silent this long (no frame, no pong to the server's pings) is closed (seconds).
    package var heartbeatTimeout = 60
    package var trustedProxies = TrustedProxies.none

    package init() {}

    /// Everything off: for benchmarks that open thousands of sessions from one address.
    package static let unlimited: Limits = {
        var limits = Limits()
        limits.startSession = .off
        limits.login = .off
        limits.upload = .off
        limits.socketsPerAddress = 0
        limits.socketsPerSession = 0
        return limits
    }()
}
