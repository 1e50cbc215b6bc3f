import ChatDomain
import FluentPostgresDriver
import Foundation
import Logging
import NIOCore
import PostgresNIO
import SQLKit
import ServiceLifecycle
import Synchronization

/// Several nodes on one PostgreSQL, with LISTEN/NOTIFY as the bus and nothing else.
/// - The writer's stores NOTIFY each batch's events inside the transaction that stores them
///   (`SQLMessageStore`): PostgreSQL delivers them at commit, in commit order, to every listener.
/// - Each node LISTENs on one dedicated connection of its own (never a pooled one), skips its own
///   events (it delivered them itself), reads back the events sent by reference, and hands the
///   rest to its fan-out in the order received. A chat socket drops a message it already sent and
///   fills a gap in `seq` from the database (`SocketConnection.admit`).
/// - The listener reconnects with backoff when its connection drops (PostgreSQL restarting,
///   `pg_terminate_backend`, the network); once back, every chat socket reads what it may have
///   missed. `isListening` is false meanwhile (`/health` answers 503).
/// - Signals (typing, receipts, participants) are not stored: `relay` NOTIFYs them, in order,
///   from one task; so are revocations (`revoke`: logout, deactivation, a revoked key), whose
///   sockets each node closes.
///
/// A service of the server's group, stopped after the sockets have drained: the signals they sent
/// on their way out (a participant left) are relayed before it ends.
package final class PostgresBus: NodeBus, Service {
    package let node = UUID()
    /// How this node's payloads begin (`BusCodec.payloads` writes the node first).
    private let ownPrefix: String
    private let configuration: PostgresConnection.Configuration
    private let db: any Database
    private let history: FluentHistoryStore
    private let logger: Logger
    private let eventLoop: any EventLoop
    private let state = Mutex(State())
    private let relays: AsyncStream<String>.Continuation
    private let outgoing: AsyncStream<String>

    private struct State {
        var listening = false
        /// Where the other nodes' events go, and what runs after the listener came back.
        var sink: (any NodeEventSink)?
        var onReconnect: (@Sendable () -> Void)?
        /// Callers of `listening(atMost:)` waiting for the listener.
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    }

    package init(url: String, db: any Database, logger: Logger) throws {
        configuration = try PostgresURL.configuration(url).coreConfiguration
        ownPrefix = BusCodec.head(node)
        self.db = db
        history = FluentHistoryStore(db: db)
        self.logger = logger
        eventLoop = db.eventLoop
        (outgoing, relays) = AsyncStream<String>.makeStream()
    }

    package var isListening: Bool { state.withLock { $0.listening } }

    /// Where the other nodes' events go; `onReconnect` runs each time the listener is back after a drop.
    package func attach(sink: any NodeEventSink, onReconnect: @escaping @Sendable () -> Void) {
        state.withLock { state in
            state.sink = sink
            state.onReconnect = onReconnect
        }
    }

    package func relay(session: UUID, excluding: UUID?, payload: Data) {
        let item = BusItem(k: "g", s: session, x: excluding, p: String(decoding: payload, as: UTF8.self))
        for text in BusCodec.payloads([item], from: node) { relays.yield(text) }
    }

    package func revoke(_ revocation: SocketRevocation) {
        let item: BusItem
        switch revocation {
        case .token(let id): item = BusItem(k: "r", y: "t", p: id)
        case .agent(let agent): item = BusItem(k: "r", id: agent, y: "a")
        case .key(let id): item = BusItem(k: "r", y: "k", p: id)
        }
        for text in BusCodec.payloads([item], from: node) { relays.yield(text) }
    }

    /// What this node's writer sends inside its transactions.
    package var announcer: BusAnnouncer { BusAnnouncer(node: node) }

    /// Returns once the listener hears the other nodes, or after `limit` (it then goes on trying).
    package func listening(atMost limit: Duration) async {
        let id = UUID()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state in
                guard !state.listening else { return true }
                state.waiters[id] = continuation
                return false
            }
            guard !now else { return continuation.resume() }
            Task {
                try? await Task.sleep(for: limit)
                self.wake(id)
            }
        }
    }

    private func wake(_ id: UUID) {
        state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
    }

    private func setListening(_ listening: Bool) {
        let waiters = state.withLock { state in
            state.listening = listening
            guard listening else { return [CheckedContinuation<Void, Never>]() }
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Listens (reconnecting with backoff) and relays this node's signals until shutdown; then
    /// relays what is still queued (5 s at most) and ends.
    package func run() async {
        let db = self.db
        let logger = self.logger
        let sending = Task { [outgoing] in
            for await payload in outgoing {
                do {
                    try await db.sql().raw("SELECT pg_notify(\(bind: BusCodec.channel), \(bind: payload))").run()
                } catch {
                    logger.warning("signal not relayed to the other nodes", metadata: ["error": "\(LoggedError.describe(error))"])
                }
            }
        }
        await cancelWhenGracefulShutdown { await self.listen() }
        setListening(false)
        // What the draining sockets said goes out; a database that does not answer holds the
        // shutdown up 5 s at most (signals are not stored: a node that misses one reads its
        // sessions again when its listener comes back).
        relays.finish()
        await awaitFinish(of: sending, atMost: .seconds(5))
    }

    /// The listener: one dedicated connection, reconnected after a drop, until cancelled.
    private func listen() async {
        var attempt = 0
        var first = true
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(on: eventLoop, configuration: configuration, id: 1, logger: logger)
                do {
                    try await connection.listen(on: BusCodec.channel) { notifications in
                        setListening(true)
                        attempt = 0
                        let (sink, onReconnect) = state.withLock { ($0.sink, $0.onReconnect) }
                        if !first { onReconnect?() }
                        first = false
                        for try await notification in notifications {
                            guard let sink else { continue }
                            await handle(notification.payload, sink: sink)
                        }
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch {
                if !Task.isCancelled { logger.warning("bus listener lost its connection; reconnecting", metadata: ["error": "\(LoggedError.describe(error))"]) }
            }
            setListening(false)
            first = false
            attempt += 1
            // 0.1 s, 0.2 s, 0.4 s … up to 5 s between attempts.
            try? await Task.sleep(for: .milliseconds(min(5_000, 100 << min(attempt - 1, 6))))
        }
    }

    /// One payload of another node: its events, read back where they came by reference.
    private func handle(_ payload: String, sink: any NodeEventSink) async {
        // This node's own events (most of what it hears under load) are skipped unread.
        if payload.hasPrefix(ownPrefix) { return }
        guard let envelope = try? JSONDecoder().decode(BusEnvelope.self, from: Data(payload.utf8)) else {
            logger.warning("unreadable bus payload")
            return
        }
        guard envelope.n != node else { return }
        var events: [NodeEvent] = []
        events.reserveCapacity(envelope.e.count)
        for item in envelope.e {
            do {
                if let event = try await event(item) { events.append(event) }
            } catch {
                logger.warning("bus event not read back", metadata: ["error": "\(LoggedError.describe(error))"])
            }
        }
        if !events.isEmpty { sink.deliverFromOtherNodes(events) }
    }

    private func event(_ item: BusItem) async throws -> NodeEvent? {
        switch item.k {
        case "m", "mr":
            guard let business = item.b, let cursor = item.c else { return nil }
            let message: WireMessage
            if let json = item.p {
                message = try JSONDecoder().decode(WireMessage.self, from: Data(json.utf8))
            } else {
                guard let id = item.id, let stored = try await history.message(id) else { return nil }
                message = stored
            }
            let json = item.p ?? message.json
            return .committed(.message(BatchPlan.Stored(
                message: message, json: json, business: business, cursor: cursor,
                feedPayload: FeedDraft.messagePayload(message, json: json), receivedAt: .now)))
        case "e":
            guard let session = item.s, let business = item.b, let cursor = item.c, let at = item.t else { return nil }
            var payload = item.p ?? ""
            if item.p == nil { payload = try await history.feedPayload(of: business, cursor: cursor) ?? "{}" }
            return .committed(.sessionEnded(session: session, business: business, at: Date(timeIntervalSince1970: at), cursor: cursor,
                                            feedPayload: Data(payload.utf8)))
        case "f", "fr":
            guard let business = item.b, let cursor = item.c, let type = item.y else { return nil }
            var payload = item.p
            if payload == nil { payload = try await history.feedPayload(of: business, cursor: cursor) }
            guard let payload else { return nil }
            return .committed(.feed(FeedDraft(business: business, type: type, session: item.s, payload: Data(payload.utf8)), cursor: cursor))
        case "g":
            guard let session = item.s, let payload = item.p else { return nil }
            return .signal(session: session, excluding: item.x, payload: Data(payload.utf8))
        case "r":
            switch (item.y, item.p, item.id) {
            case ("t", let id?, _): return .revoked(.token(id: id))
            case ("a", _, let agent?): return .revoked(.agent(agent))
            case ("k", let id?, _): return .revoked(.key(id: id))
            default: return nil
            }
        default:
            return nil
        }
    }
}

/// The writer's side of the bus: NOTIFYs a transaction's events before it commits.
package struct BusAnnouncer: Sendable {
    let node: UUID

    /// One statement for all of them: the writer waits for one round trip, not one per payload.
    func announce(_ events: [CommittedEvent], on sql: any SQLDatabase) async throws {
        let payloads = BusCodec.payloads(BusCodec.items(events), from: node)
        guard !payloads.isEmpty else { return }
        var query: SQLQueryString = "SELECT "
        for (index, payload) in payloads.enumerated() {
            query += index == 0 ? "" : ", "
            query += "pg_notify(\(bind: BusCodec.channel), \(bind: payload))"
        }
        try await sql.raw(query).run()
    }
}
