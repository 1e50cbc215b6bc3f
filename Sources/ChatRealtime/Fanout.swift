import ChatDomain
import Foundation
import NIOCore

/// The fan-out of this node: the writer's committed events become frames (encoded once for all
/// their sockets) and go to the hubs in commit order; so do the other nodes' events when several
/// nodes share a PostgreSQL (`NodeBus`), and this node's signals go to them.
package final class LocalFanout: EventSink, NodeEventSink {
    package let sessions: TopicHub
    package let feeds: TopicHub
    package let metrics: ChatMetrics
    /// The other nodes on the same PostgreSQL; nil on SQLite (one node).
    package let nodeBus: (any NodeBus)?

    /// The sockets open on this node and their work in progress (shutdown waits for none to be left).
    package let activity = LoopCounter()

    package init(metrics: ChatMetrics, bus: (any NodeBus)?) {
        sessions = TopicHub(activity: activity)
        feeds = TopicHub(activity: activity)
        self.metrics = metrics
        nodeBus = bus
    }

    /// Hands frames to the sockets of their topics on this node, in the caller's order per topic.
    /// Must not block (the writer's thread calls it).
    package func publish(_ events: [HubEvent]) {
        sessions.deliver(events.filter { if case .session = $0.topic { true } else { false } })
        feeds.deliver(events.filter { if case .feed = $0.topic { true } else { false } })
    }

    /// A signal of a session (not stored): to its other sockets here and on every other node.
    func relay(session: UUID, payload: ByteBuffer, excluding socket: UUID) {
        publish([HubEvent(topic: .session(session), kind: .signal, number: nil, payload: payload, excluding: socket)])
        nodeBus?.relay(session: session, excluding: socket, payload: Data(payload.readableBytesView))
    }

    package func deliver(_ events: [CommittedEvent]) {
        let allocator = ByteBufferAllocator()
        var frames: [HubEvent] = []
        frames.reserveCapacity(events.count * 2)
        var arrivals: [ContinuousClock.Instant] = []
        for event in events {
            switch event {
            case .message(let stored): arrivals.append(stored.receivedAt)
            case .sessionEnded: metrics.session(started: false)
            case .feed: break
            }
            Self.append(event, to: &frames, allocator: allocator)
        }
        publish(frames)
        guard !arrivals.isEmpty else { return }
        let now = ContinuousClock.now
        for received in arrivals { metrics.broadcastLatency.record(received.duration(to: now)) }
        metrics.messagesStored.increment(by: Int64(arrivals.count))
    }

    /// Closes this node's sockets that `revocation` covers with 4003.
    func closeSockets(_ revocation: SocketRevocation) {
        for hub in [sessions, feeds] {
            hub.close(where: { revocation.covers(identity: $0.identity, claims: $0.claims) }, code: .unauthorized)
        }
    }

    package func deliverFromOtherNodes(_ events: [NodeEvent]) {
        let allocator = ByteBufferAllocator()
        var frames: [HubEvent] = []
        for event in events {
            switch event {
            case .revoked(let revocation):
                closeSockets(revocation)
            case .committed(let committed):
                Self.append(committed, to: &frames, allocator: allocator)
            case .signal(let session, let excluding, let payload):
                var buffer = allocator.buffer(capacity: payload.count)
                buffer.writeBytes(payload)
                frames.append(HubEvent(topic: .session(session), kind: .signal, number: nil, payload: buffer, excluding: excluding))
            }
        }
        publish(frames)
    }

    /// The frames of one committed event: to its session's sockets and its business's feeds.
    private static func append(_ event: CommittedEvent, to frames: inout [HubEvent], allocator: ByteBufferAllocator) {
        switch event {
        case .message(let stored):
            frames.append(HubEvent(topic: .session(stored.message.sessionID), kind: .numbered, number: stored.message.seq,
                                   payload: allocator.buffer(string: stored.json), agentsOnly: stored.message.isPrivate))
            frames.append(HubEvent(topic: .feed(business: stored.business), kind: .numbered, number: stored.cursor,
                                   payload: FeedFrame.encode(stored.feedPayload.utf8, cursor: stored.cursor, allocator: allocator)))
        case .sessionEnded(let session, let business, let date, let cursor, let feedPayload):
            frames.append(HubEvent(topic: .session(session), kind: .ended, number: nil,
                                   payload: JSONFrame.encode(ServerFrame.sessionEnded(session, at: date), allocator: allocator)))
            frames.append(HubEvent(topic: .feed(business: business), kind: .numbered, number: cursor,
                                   payload: FeedFrame.encode(feedPayload, cursor: cursor, allocator: allocator)))
        case .feed(let draft, let cursor):
            if let session = draft.session {
                var payload = allocator.buffer(capacity: draft.payload.count)
                payload.writeBytes(draft.payload)
                frames.append(HubEvent(topic: .session(session), kind: .signal, number: nil, payload: payload))
            }
            frames.append(HubEvent(topic: .feed(business: draft.business), kind: .numbered, number: cursor,
                                   payload: FeedFrame.encode(draft.payload, cursor: cursor, allocator: allocator)))
        }
    }
}

/// A feed frame: the stored event's JSON object with its `cursor` first.
enum FeedFrame {
    static func encode(_ payload: some Collection<UInt8>, cursor: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: payload.count + 24)
        buffer.writeString("{\"cursor\":\(cursor)")
        if payload.count > 2 { buffer.writeString(",") }
        buffer.writeBytes(payload.dropFirst())
        return buffer
    }
}
