import Foundation
@testable import ChatDomain

/// `PresenceStore`: a row per online agent and node, and the round-robin turns.
extension InMemoryStore: PresenceStore {
    func markOnline(agent: UUID, business: UUID, node: UUID, at date: Date, freshAfter: Date) async throws -> Bool {
        reading { tables in
            tables.presence[Tables.PresenceKey(agent: agent, node: node)] = Tables.PresenceRow(business: business, seenAt: date)
            return tables.holders(of: agent, besides: node, freshAfter: freshAfter) > 0
        }
    }

    func markOffline(agent: UUID, node: UUID, freshAfter: Date) async throws -> Bool {
        reading { tables in
            tables.presence[Tables.PresenceKey(agent: agent, node: node)] = nil
            return tables.holders(of: agent, besides: node, freshAfter: freshAfter) > 0
        }
    }

    func onlineAgents(among agents: Set<UUID>, freshAfter: Date) async throws -> Set<UUID> {
        reading { tables in
            Set(tables.presence.filter { agents.contains($0.key.agent) && $0.value.seenAt > freshAfter }.map(\.key.agent))
        }
    }

    func refresh(node: UUID, holding agents: [(agent: UUID, business: UUID)], at date: Date) async throws {
        reading { tables in
            for (agent, business) in agents {
                tables.presence[Tables.PresenceKey(agent: agent, node: node)] = Tables.PresenceRow(business: business, seenAt: date)
            }
        }
    }

    /// Removes the rows seen at or before `staleBefore`; the agents left without any row, once each.
    func sweep(staleBefore: Date) async throws -> [(agent: UUID, business: UUID)] {
        reading { tables in
            let gone = tables.presence.filter { $0.value.seenAt <= staleBefore }
            for key in gone.keys { tables.presence[key] = nil }
            var left: [(agent: UUID, business: UUID)] = []
            for (key, row) in gone where !tables.presence.keys.contains(where: { $0.agent == key.agent }) {
                if !left.contains(where: { $0.agent == key.agent }) { left.append((key.agent, row.business)) }
            }
            return left
        }
    }

    /// 0 for a new pool, then 1, 2, 3 …
    func nextTurn(pool: String) async throws -> Int {
        reading { tables in
            let turn = tables.turns[pool].map { $0 + 1 } ?? 0
            tables.turns[pool] = turn
            return turn
        }
    }

    /// Test setup: `agent` online on a node of its own now (what an open feed socket leaves).
    func markOnlineNow(agent: UUID, business: UUID) {
        reading { $0.presence[Tables.PresenceKey(agent: agent, node: UUID())] = Tables.PresenceRow(business: business, seenAt: Date()) }
    }
}

extension Tables {
    func holders(of agent: UUID, besides node: UUID, freshAfter: Date) -> Int {
        presence.filter { $0.key.agent == agent && $0.key.node != node && $0.value.seenAt > freshAfter }.count
    }
}
