import ChatDomain
import FluentPostgresDriver
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO
import SQLKit

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
package final class PostgresBus: NodeBus {
    package let node = UUID()
    /// How this node's payloads begin (`BusCodec.payloads` writes the node first).
    private let ownPrefix: String
    private let configuration: PostgresConnection.Configuration
    private let store: FluentChatStore
    private let logger: Logger
    private let eventLoop: any EventLoop
    private let listening = NIOLockedValueBox(false)
    private let listener = NIOLockedValueBox<Task<Void, Never>?>(nil)
    private let relays: AsyncStream<String>.Continuation
    private let sender: Task<Void, Never>

    package init(url: String, db: any Database, logger: Logger) throws {
        configuration = try PostgresURL.configuration(url).coreConfiguration
        ownPrefix = BusCodec.head(node)
        store = FluentChatStore(db: db)
        self.logger = logger
        eventLoop = db.eventLoop
        let (stream, relays) = AsyncStream<String>.makeStream()
        self.relays = relays
        sender = Task {
            for await payload in stream {
                do {
                    try await db.sql().raw("SELECT pg_notify(\(bind: BusCodec.channel), \(bind: payload))").run()
                } catch {
                    logger.warning("signal not relayed to the other nodes", metadata: ["error": "\(LoggedError.describe(error))"])
                }
            }
        }
    }

    package var isListening: Bool { listening.withLockedValue { $0 } }

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

    /// Starts listening and returns once the listener hears the others (or after `ready`, the
    /// listener then retrying); `onReconnect` runs each time it is back after a drop.
    package func start(sink: any NodeEventSink, ready: Duration = .seconds(5), onReconnect: @escaping @Sendable () -> Void) async {
        let task = Task { [self] in
            var attempt = 0
            var first = true
            while !Task.isCancelled {
                do {
                    let connection = try await PostgresConnection.connect(
                        on: eventLoop, configuration: configuration, id: 1, logger: logger)
                    do {
                        try await connection.listen(on: BusCodec.channel) { notifications in
                            listening.withLockedValue { $0 = true }
                            attempt = 0
                            if !first { onReconnect() }
                            first = false
                            for try await notification in notifications {
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
                listening.withLockedValue { $0 = false }
                first = false
                attempt += 1
                // 0.1 s, 0.2 s, 0.4 s … up to 5 s between attempts.
                try? await Task.sleep(for: .milliseconds(min(5_000, 100 << min(attempt - 1, 6))))
            }
        }
        listener.withLockedValue { $0 = task }
        let deadline = ContinuousClock.now + ready
        while !isListening, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    package func stop() {
        listener.withLockedValue { $0 }?.cancel()
        relays.finish()
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
                guard let id = item.id, let stored = try await store.message(id) else { return nil }
                message = stored
            }
            let json = item.p ?? message.json
            return .committed(.message(BatchPlan.Stored(
                message: message, json: json, business: business, cursor: cursor,
                feedPayload: FeedDraft.messagePayload(message, json: json), receivedAt: .now)))
        case "e":
            guard let session = item.s, let business = item.b, let cursor = item.c, let at = item.t else { return nil }
            var payload = item.p ?? ""
            if item.p == nil { payload = try await store.feedPayload(of: business, cursor: cursor) ?? "{}" }
            return .committed(.sessionEnded(session: session, business: business, at: Date(timeIntervalSince1970: at), cursor: cursor,
                                            feedPayload: Data(payload.utf8)))
        case "f", "fr":
            guard let business = item.b, let cursor = item.c, let type = item.y else { return nil }
            var payload = item.p
            if payload == nil { payload = try await store.feedPayload(of: business, cursor: cursor) }
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
