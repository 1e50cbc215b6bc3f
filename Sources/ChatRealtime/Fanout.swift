import ChatDomain
import Foundation
import NIOCore

/// The seam between the node that stored or produced an event and every node with sockets of
/// its topic. One node: `LocalFanout` hands events straight to the hubs. Several nodes share a
/// database and fan out through it (LISTEN/NOTIFY) behind the same protocol.
package protocol Fanout: Sendable {
    /// Must keep the callers' order per topic, and must not block (the writer's thread calls it).
    func publish(_ events: [HubEvent])
}

extension Fanout {
    func publish(_ event: HubEvent) {
        publish([event])
    }
}

/// In-process fan-out for a single node: the writer's committed events become frames (encoded
/// once for all their sockets) and go to the hubs in commit order.
package struct LocalFanout: Fanout, EventSink {
    package let sessions: TopicHub
    package let feeds: TopicHub
    package let metrics: ChatMetrics

    package init(metrics: ChatMetrics) {
        sessions = TopicHub()
        feeds = TopicHub()
        self.metrics = metrics
    }

    package func publish(_ events: [HubEvent]) {
        sessions.deliver(events.filter { if case .session = $0.topic { true } else { false } })
        feeds.deliver(events.filter { if case .feed = $0.topic { true } else { false } })
    }

    package func deliver(_ events: [CommittedEvent]) {
        let allocator = ByteBufferAllocator()
        var frames: [HubEvent] = []
        frames.reserveCapacity(events.count * 2)
        var arrivals: [ContinuousClock.Instant] = []
        for event in events {
            switch event {
            case .message(let stored):
                arrivals.append(stored.receivedAt)
                frames.append(HubEvent(topic: .session(stored.message.sessionID), kind: .numbered, number: stored.message.seq,
                                       payload: allocator.buffer(string: stored.json)))
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
        publish(frames)
        guard !arrivals.isEmpty else { return }
        let now = ContinuousClock.now
        for received in arrivals { metrics.broadcastLatency.record(received.duration(to: now)) }
        metrics.messagesStored.increment(by: Int64(arrivals.count))
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
