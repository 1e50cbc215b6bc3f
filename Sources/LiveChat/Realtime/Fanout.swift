/// The seam between the node that stored an event and every node with sockets of that session.
/// One node: `LocalFanout` hands events straight to the hub. Several nodes share a database and
/// fan out through it (LISTEN/NOTIFY) behind the same protocol.
protocol Fanout: Sendable {
    /// Called in commit order by the message writer; must keep that order per session.
    func publish(_ event: SessionEvent) async
}

/// In-process fan-out for a single node.
struct LocalFanout: Fanout {
    let hub: SessionHub

    func publish(_ event: SessionEvent) async {
        hub.deliver(event)
    }
}
