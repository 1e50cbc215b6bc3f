/// The seam between the node that stored or produced an event and every node with sockets of
/// its topic. One node: `LocalFanout` hands events straight to the hubs. Several nodes share a
/// database and fan out through it (LISTEN/NOTIFY) behind the same protocol.
protocol Fanout: Sendable {
    /// Called in commit order by the writer (and for signals by the socket loops); must keep
    /// that order per topic, and must not block (the writer's thread calls it).
    func publish(_ events: [HubEvent])
}

extension Fanout {
    func publish(_ event: HubEvent) {
        publish([event])
    }
}

/// In-process fan-out for a single node.
struct LocalFanout: Fanout {
    let sessions: TopicHub
    let feeds: TopicHub

    func publish(_ events: [HubEvent]) {
        sessions.deliver(events.filter { if case .session = $0.topic { true } else { false } })
        feeds.deliver(events.filter { if case .feed = $0.topic { true } else { false } })
    }
}
