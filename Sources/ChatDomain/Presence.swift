import Foundation

/// Which agents are online on this node: an agent is online while one of its feed sockets is
/// open, and goes offline `grace` after the last one closed unless it reconnects meanwhile.
/// Changes are published to the business feed. Also deals chats round-robin to online agents.
package actor Presence {
    private let log: any EventLog
    private let grace: Duration
    private var sockets: [UUID: Int] = [:]
    private var online: [UUID: UUID] = [:]  // agent → business
    private var leaving: [UUID: Task<Void, Never>] = [:]
    private var turns: [String: Int] = [:]

    package init(log: any EventLog, grace: Duration) {
        self.log = log
        self.grace = grace
    }

    package func connected(agent: UUID, business: UUID) async {
        sockets[agent, default: 0] += 1
        leaving.removeValue(forKey: agent)?.cancel()
        guard online[agent] == nil else { return }
        online[agent] = business
        await announce(agent: agent, business: business, online: true)
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

    package func isOnline(_ agent: UUID) -> Bool { online[agent] != nil }

    /// The next online agent among `candidates`, taking turns per `pool` (a business's department).
    package func nextAgent(among candidates: [UUID], pool: String) -> UUID? {
        let available = candidates.filter { online[$0] != nil }.sorted { $0.uuidString < $1.uuidString }
        guard !available.isEmpty else { return nil }
        let turn = turns[pool, default: 0]
        turns[pool] = turn + 1
        return available[turn % available.count]
    }

    private func expire(_ agent: UUID) async {
        leaving[agent] = nil
        guard sockets[agent] == nil, let business = online.removeValue(forKey: agent) else { return }
        await announce(agent: agent, business: business, online: false)
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
