import ChatDomain
import Fluent
import Foundation
import SQLKit

/// Which node holds which online agent, and the round-robin turns.
package struct FluentPresenceStore: PresenceStore {
    let db: any Database

    package init(db: any Database) {
        self.db = db
    }

    package func markOnline(agent: UUID, business: UUID, node: UUID, at date: Date, freshAfter: Date) async throws -> Bool {
        try await db.transaction { tx in
            let sql = try tx.sql()
            try await lockAgent(agent, on: sql)
            try await upsertPresence(agent: agent, business: business, node: node, at: date, on: sql)
            return try await holders(of: agent, besides: node, freshAfter: freshAfter, on: sql) > 0
        }
    }

    package func markOffline(agent: UUID, node: UUID, freshAfter: Date) async throws -> Bool {
        try await db.transaction { tx in
            let sql = try tx.sql()
            try await lockAgent(agent, on: sql)
            try await sql.raw("DELETE FROM agent_presence WHERE agent_id = \(bind: agent) AND node_id = \(bind: node)").run()
            return try await holders(of: agent, besides: node, freshAfter: freshAfter, on: sql) > 0
        }
    }

    /// Two nodes marking one agent at once take turns (PostgreSQL: a lock held to the commit;
    /// SQLite has one writer at a time already), so one of them always sees the other's row.
    private func lockAgent(_ agent: UUID, on sql: any SQLDatabase) async throws {
        guard sql.dialect.name == "postgresql" else { return }
        try await sql.raw("SELECT pg_advisory_xact_lock(\(bind: agent.advisoryLockKey))").run()
    }

    private func upsertPresence(agent: UUID, business: UUID, node: UUID, at date: Date, on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            INSERT INTO agent_presence (agent_id, node_id, business_id, seen_at) VALUES (\(bind: agent), \(bind: node), \(bind: business), \(bind: date))
            ON CONFLICT (agent_id, node_id) DO UPDATE SET seen_at = excluded.seen_at
            """).run()
    }

    private func holders(of agent: UUID, besides node: UUID, freshAfter: Date, on sql: any SQLDatabase) async throws -> Int {
        let row = try await sql.raw("""
            SELECT COUNT(*) AS n FROM agent_presence WHERE agent_id = \(bind: agent) AND node_id <> \(bind: node) AND seen_at > \(bind: freshAfter)
            """).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    package func onlineAgents(among agents: Set<UUID>, freshAfter: Date) async throws -> Set<UUID> {
        guard !agents.isEmpty else { return [] }
        let rows = try await db.sql().raw("""
            SELECT DISTINCT agent_id FROM agent_presence WHERE agent_id IN (\(binds: Array(agents))) AND seen_at > \(bind: freshAfter)
            """).all()
        return Set(try rows.map { try $0.decode(column: "agent_id", as: UUID.self) })
    }

    package func refresh(node: UUID, holding agents: [(agent: UUID, business: UUID)], at date: Date) async throws {
        let sql = try db.sql()
        // Upserts: a row another node swept while this one could not reach the database comes back.
        for (agent, business) in agents { try await upsertPresence(agent: agent, business: business, node: node, at: date, on: sql) }
    }

    package func sweep(staleBefore: Date) async throws -> [(agent: UUID, business: UUID)] {
        let sql = try db.sql()
        let gone = try await sql.raw("DELETE FROM agent_presence WHERE seen_at <= \(bind: staleBefore) RETURNING agent_id, business_id").all()
        var left: [(agent: UUID, business: UUID)] = []
        for row in gone {
            let agent = try row.decode(column: "agent_id", as: UUID.self)
            let still = try await sql.raw("SELECT COUNT(*) AS n FROM agent_presence WHERE agent_id = \(bind: agent)").first()
            if try still?.decode(column: "n", as: Int.self) ?? 0 == 0, !left.contains(where: { $0.agent == agent }) {
                left.append((agent, try row.decode(column: "business_id", as: UUID.self)))
            }
        }
        return left
    }

    package func nextTurn(pool: String) async throws -> Int {
        let row = try await db.sql().raw("""
            INSERT INTO assignment_turns (pool, turn) VALUES (\(bind: pool), 0)
            ON CONFLICT (pool) DO UPDATE SET turn = assignment_turns.turn + 1 RETURNING turn
            """).first()
        return try row?.decode(column: "turn", as: Int.self) ?? 0
    }
}
