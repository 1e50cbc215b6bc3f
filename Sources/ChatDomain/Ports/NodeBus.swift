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
    /// Tells the other nodes to close their sockets opened with what was revoked (4003).
    func revoke(_ revocation: SocketRevocation)
    /// Whether the node hears the others now (false while the listener reconnects).
    var isListening: Bool { get }
}

/// An event of another node, as this node's fan-out delivers it.
package enum NodeEvent: Sendable {
    case committed(CommittedEvent)
    case signal(session: UUID, excluding: UUID?, payload: Data)
    case revoked(SocketRevocation)
}

/// What makes open sockets invalid on every node: they are closed with 4003.
package enum SocketRevocation: Sendable, Equatable {
    /// A token logged out (its `jti`).
    case token(id: String)
    /// An agent deactivated: every socket of theirs.
    case agent(UUID)
    /// A business key revoked (its `kid`): every socket opened with a token it signed.
    case key(id: String)

    /// Whether a socket of `identity`, opened with `claims`, falls under it.
    package func covers(identity: Identity, claims: TokenClaims?) -> Bool {
        switch self {
        case .token(let id): claims?.tokenID == id
        case .agent(let agent): if case .agent(agent, _) = identity { true } else { false }
        case .key(let id): claims?.keyID == id
        }
    }
}

/// Where another node's events go: this node's fan-out, in the order they arrive.
package protocol NodeEventSink: Sendable {
    func deliverFromOtherNodes(_ events: [NodeEvent])
}
