import Foundation

/// Which agents are online: an agent is online while one of its feed sockets is open on any node,
/// and goes offline `grace` after the last one closed unless it reconnects meanwhile. Each node
/// counts its own sockets and keeps a row per agent it holds in the database (`PresenceStore`),
/// refreshed every `heartbeat`; a node that dies stops refreshing, and after `3 × heartbeat` any
/// node sweeps its rows away and announces those agents offline. Changes are published to the
/// business feed (and so reach every node). Also deals chats round-robin to online agents, the
/// turns kept in the database.
package actor Presence {
    private let log: any EventLog
    private let store: any PresenceStore
    private let grace: Duration
    private let heartbeat: Duration
    /// This node, as its presence rows name it.
    private let node = UUID()
    private var sockets: [UUID: Int] = [:]
    private var online: [UUID: UUID] = [:]  // agent → business, held by this node
    private var leaving: [UUID: Task<Void, Never>] = [:]

    package init(log: any EventLog, store: any PresenceStore, grace: Duration, heartbeat: Duration) {
        self.log = log
        self.store = store
        self.grace = grace
        self.heartbeat = heartbeat
    }

    /// A row older than this belongs to a node that stopped.
    private var stale: TimeInterval {
        let window = heartbeat * 3
        return Double(window.components.seconds) + Double(window.components.attoseconds) / 1e18
    }

    /// Refreshes this node's rows and sweeps the dead nodes' ones, every `heartbeat`, until
    /// cancelled (the server's shutdown: its rows then go stale and another node, or this one at
    /// its next start, sweeps them).
    package nonisolated func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: heartbeat)
            guard !Task.isCancelled else { return }
            await beat()
        }
    }

    package func connected(agent: UUID, business: UUID) async {
        sockets[agent, default: 0] += 1
        leaving.removeValue(forKey: agent)?.cancel()
        guard online[agent] == nil else { return }
        online[agent] = business
        do {
            let elsewhere = try await store.markOnline(agent: agent, business: business, node: node, at: Date(), freshAfter: freshness)
            if !elsewhere { await announce(agent: agent, business: business, online: true) }
        } catch {
            await announce(agent: agent, business: business, online: true)
        }
    }

    package func disconnected(agent: UUID) {
        let left = (sockets[agent] ?? 1) - 1
        sockets[agent] = left > 0 ? left : nil
        guard left <= 0 else { return }
        leaving[agent]?.cancel()
        let grace = self.grace
        leaving[agent] = Task {
            try? await Task.sleep(for: grace)
            guard !Task.isCancelled else { return }
            await self.expire(agent)
        }
    }

    /// The agents among `agents` that are online on some node.
    package func online(among agents: Set<UUID>) async -> Set<UUID> {
        guard !agents.isEmpty else { return [] }
        let local = agents.filter { online[$0] != nil }
        guard let everywhere = try? await store.onlineAgents(among: agents, freshAfter: freshness) else { return local }
        return everywhere.union(local)
    }

    package func isOnline(_ agent: UUID) async -> Bool {
        await online(among: [agent]).contains(agent)
    }

    /// The next online agent among `candidates`, taking turns per `pool` (a business's department).
    package func nextAgent(among candidates: [UUID], pool: String) async -> UUID? {
        let available = await online(among: Set(candidates)).sorted { $0.uuidString < $1.uuidString }
        guard !available.isEmpty else { return nil }
        let turn = (try? await store.nextTurn(pool: pool)) ?? 0
        return available[turn % available.count]
    }

    private var freshness: Date { Date().addingTimeInterval(-stale) }

    private func expire(_ agent: UUID) async {
        leaving[agent] = nil
        guard sockets[agent] == nil, let business = online.removeValue(forKey: agent) else { return }
        let elsewhere = (try? await store.markOffline(agent: agent, node: node, freshAfter: freshness)) ?? false
        if !elsewhere { await announce(agent: agent, business: business, online: false) }
    }

    /// Refreshes this node's rows, then sweeps the rows of nodes that stopped refreshing theirs.
    private func beat() async {
        try? await store.refresh(node: node, holding: online.map { (agent: $0.key, business: $0.value) }, at: Date())
        guard let swept = try? await store.sweep(staleBefore: freshness) else { return }
        for (agent, business) in swept where online[agent] == nil {
            await announce(agent: agent, business: business, online: false)
        }
    }

    private struct Change: Encodable {
        let type = "agent_presence"
        let agent_id: String
        let online: Bool
        let timestamp: String
    }

    private func announce(agent: UUID, business: UUID, online: Bool) async {
        let change = Change(agent_id: agent.lowercasedText, online: online, timestamp: WireTime.iso(WireTime.now()))
        guard let draft = try? FeedDraft(business: business, type: change.type, body: change) else { return }
        _ = try? await log.publish(draft)
    }
}
