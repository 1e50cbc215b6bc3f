import Foundation

/// Several nodes on one PostgreSQL: what crosses from the node that stored or produced an event to
/// the others (the storage layer's `PostgresBus`, on LISTEN/NOTIFY). Stored events are announced
/// by the writer inside the transaction that stores them, so every node gets them in commit order;
/// this port carries what is not stored (typing, receipts, participants) and brings the other
/// nodes' events in.
package protocol NodeBus: Sendable {
    /// Sends a signal of `session` (its JSON frame) to the sockets of the other nodes, except the
    /// socket `excluding` (the sender's).
    func relay(session: UUID, excluding: UUID?, payload: Data)
    /// Whether the node hears the others now (false while the listener reconnects).
    var isListening: Bool { get }
}

/// An event of another node, as this node's fan-out delivers it.
package enum NodeEvent: Sendable {
    case committed(CommittedEvent)
    case signal(session: UUID, excluding: UUID?, payload: Data)
}

/// Where another node's events go: this node's fan-out, in the order they arrive.
package protocol NodeEventSink: Sendable {
    func deliverFromOtherNodes(_ events: [NodeEvent])
}
