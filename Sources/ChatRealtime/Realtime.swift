import ChatDomain
import Vapor

/// The realtime side of the server, built once at boot: the chat's rules, the open sockets of
/// each session and business feed on this node, the fan-out, and the sockets' limits.
package struct Realtime: Sendable {
    package let chat: Chat
    package let sessions: TopicHub
    package let feeds: TopicHub
    package let fanout: LocalFanout
    package let loops: LoopCounter
    package let metrics: ChatMetrics
    /// Messages a socket may send in a burst, and per second after it, before it is closed with 1008.
    package let messageBurst: Int
    package let messagesPerSecond: Int
    package let limits: Limits
    /// Per client address: new sessions, logins, uploads, open sockets.
    package let startSessions: AddressRateLimiter
    package let logins: AddressRateLimiter
    package let uploads: AddressRateLimiter
    let sockets: SocketCounter

    package init(chat: Chat, fanout: LocalFanout, messageBurst: Int, messagesPerSecond: Int, limits: Limits) {
        self.chat = chat
        self.sessions = fanout.sessions
        self.feeds = fanout.feeds
        self.fanout = fanout
        loops = fanout.activity
        self.metrics = fanout.metrics
        self.messageBurst = messageBurst
        self.messagesPerSecond = messagesPerSecond
        self.limits = limits
        startSessions = AddressRateLimiter(limits.startSession)
        logins = AddressRateLimiter(limits.login)
        uploads = AddressRateLimiter(limits.upload)
        sockets = SocketCounter(cap: limits.socketsPerAddress, total: limits.socketsTotal)
    }

    /// Takes one from `limiter`'s bucket for `address`, or refuses (429), counted by limit.
    package func take(_ limiter: AddressRateLimiter, named limit: String, for address: String) throws {
        if let wait = limiter.take(address) {
            metrics.refused(limit: limit)
            throw LimitRefusal.rate(limit: limit, retryAfter: wait)
        }
    }

    package var connectionCount: Int { sessions.connectionCount + feeds.connectionCount }

    /// Closes with 4003 the sockets that `revocation` covers: this node's at once, the other nodes'
    /// through the bus.
    package func closeSockets(_ revocation: SocketRevocation) {
        fanout.closeSockets(revocation)
        fanout.nodeBus?.revoke(revocation)
    }
}

extension Application {
    private struct RealtimeKey: StorageKey {
        typealias Value = Realtime
    }

    /// Set once by `configure`.
    package var realtime: Realtime {
        get {
            guard let realtime = storage[RealtimeKey.self] else {
                fatalError("configure(_:config:) has not run: the realtime services are missing")
            }
            return realtime
        }
        set { storage[RealtimeKey.self] = newValue }
    }

    package var chat: Chat { realtime.chat }
}

extension Request {
    package var realtime: Realtime { application.realtime }
    package var chat: Chat { application.realtime.chat }
}
