import Fluent
import Foundation
import SQLKit

/// Who handles a chat: taking or handing it over (`assign`), moving it to another department
/// (`transfer`), and dealing new chats round-robin to online agents when the business wants it.
/// Each change is announced to the session's sockets and to the business feed.
struct Assignment: Sendable {
    let db: any Database
    let writer: MessageWriter
    let presence: Presence

    struct Assigned: Encodable {
        let type = "session_assigned"
        let session_id: String
        let agent_id: String
        let agent_name: String
        let assigned_by: String?
        let timestamp: String
    }

    struct Transferred: Encodable {
        let type = "session_transferred"
        let session_id: String
        let department: String
        let department_name: String
        let from_department: String?
        let transferred_by: String?
        let timestamp: String
    }

    /// Gives the chat to `agent`. It must be unassigned, already theirs, or handed over by its
    /// current agent (an admin may always reassign); two agents taking it at once: one wins.
    func assign(_ session: ChatSession, to agentID: UUID, by caller: Identity) async throws -> Agent {
        guard let agent = try await Agent.find(agentID, on: db), agent.businessID == session.businessID else {
            throw ChatError(.notFound, "Agent not found.", fields: ["agent_id": ["Unknown agent for this business."]])
        }
        guard session.isActive else { throw ChatError.sessionEnded }
        let id = try session.requireID()
        let sql = try db.sql()
        let rows: [any SQLRow]
        if caller == .admin {
            rows = try await sql.raw("""
                UPDATE chat_sessions SET assigned_agent_id = \(bind: agentID) WHERE id = \(bind: id) AND ended_at IS NULL RETURNING id
                """).all()
        } else {
            let me = caller.subject ?? UUID()
            rows = try await sql.raw("""
                UPDATE chat_sessions SET assigned_agent_id = \(bind: agentID)
                WHERE id = \(bind: id) AND ended_at IS NULL
                  AND (assigned_agent_id IS NULL OR assigned_agent_id = \(bind: agentID) OR assigned_agent_id = \(bind: me))
                RETURNING id
                """).all()
        }
        guard !rows.isEmpty else {
            let now = try await ChatSession.find(id, on: db)
            if now?.isActive == false { throw ChatError.sessionEnded }
            throw ChatError(.conflict, "This chat is already assigned to another agent.")
        }
        try await announceAssigned(session: id, business: session.businessID, agent: agent, by: caller.subject)
        return agent
    }

    /// Moves the chat to another department of its business; it waits there unassigned (or is
    /// dealt to an online agent of that department when the business auto-assigns).
    func transfer(_ session: ChatSession, to departmentID: UUID, by caller: Identity) async throws -> Department {
        guard let department = try await Department.find(departmentID, on: db), department.businessID == session.businessID else {
            throw ChatError(.notFound, "Department not found.", fields: ["department": ["Unknown department for this business."]])
        }
        guard session.isActive else { throw ChatError.sessionEnded }
        let id = try session.requireID()
        let rows = try await db.sql().raw("""
            UPDATE chat_sessions SET department_id = \(bind: departmentID), assigned_agent_id = NULL
            WHERE id = \(bind: id) AND ended_at IS NULL RETURNING id
            """).all()
        guard !rows.isEmpty else { throw ChatError.sessionEnded }
        let change = Transferred(
            session_id: id.lowercasedText, department: departmentID.lowercasedText, department_name: department.name,
            from_department: session.departmentID?.lowercasedText, transferred_by: caller.subject?.lowercasedText,
            timestamp: WireTime.iso(WireTime.now()))
        try await writer.publish(FeedDraft(business: session.businessID, type: change.type, session: id, body: change))
        if let business = try await Business.find(session.businessID, on: db), business.autoAssign,
           let moved = try await ChatSession.find(id, on: db) {
            try await autoAssign(moved)
        }
        return department
    }

    /// Deals an unassigned chat to the next online agent of its department (or of the whole
    /// business for agents without a department), if there is one.
    func autoAssign(_ session: ChatSession) async throws {
        let id = try session.requireID()
        var candidates = Agent.query(on: db).filter(\.$businessID == session.businessID)
        if let department = session.departmentID {
            candidates = candidates.group(.or) { $0.filter(\.$departmentID == department).filter(\.$departmentID == nil) }
        }
        let agents = try await candidates.all()
        let pool = "\(session.businessID)/\(session.departmentID?.uuidString ?? "-")"
        guard let chosen = await presence.nextAgent(among: agents.compactMap(\.id), pool: pool),
              let agent = agents.first(where: { $0.id == chosen }) else { return }
        let rows = try await db.sql().raw("""
            UPDATE chat_sessions SET assigned_agent_id = \(bind: chosen)
            WHERE id = \(bind: id) AND ended_at IS NULL AND assigned_agent_id IS NULL RETURNING id
            """).all()
        guard !rows.isEmpty else { return }
        try await announceAssigned(session: id, business: session.businessID, agent: agent, by: nil)
    }

    private func announceAssigned(session: UUID, business: UUID, agent: Agent, by: UUID?) async throws {
        let change = Assigned(
            session_id: session.lowercasedText, agent_id: agent.id?.lowercasedText ?? "", agent_name: agent.name,
            assigned_by: by?.lowercasedText, timestamp: WireTime.iso(WireTime.now()))
        try await writer.publish(FeedDraft(business: business, type: change.type, session: session, body: change))
    }
}
