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

    package init(chat: Chat, fanout: LocalFanout, loops: LoopCounter, messageBurst: Int, messagesPerSecond: Int) {
        self.chat = chat
        self.sessions = fanout.sessions
        self.feeds = fanout.feeds
        self.fanout = fanout
        self.loops = loops
        self.metrics = fanout.metrics
        self.messageBurst = messageBurst
        self.messagesPerSecond = messagesPerSecond
    }

    package var connectionCount: Int { sessions.connectionCount + feeds.connectionCount }

    /// Closes this node's sockets opened with a token of the business key `kid` (revoked) with 4003.
    package func closeSockets(signedWith kid: String) {
        for hub in [sessions, feeds] { hub.close(where: { $0.claims?.keyID == kid }, code: .unauthorized) }
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
