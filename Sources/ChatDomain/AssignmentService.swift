import Foundation

/// Who handles a chat: taking or handing it over (`assign`), moving it to another department
/// (`transfer`), and dealing new chats round-robin to online agents when the business wants it.
/// Each change is announced on the business feed and to the session's sockets.
package struct AssignmentService: Sendable {
    let directoryStore: any DirectoryStore
    let sessionStore: any SessionStore
    let log: any EventLog
    let presence: Presence

    struct AssignedEvent: Encodable {
        let type = "session_assigned"
        let session_id: String
        let agent_id: String
        let agent_name: String
        let assigned_by: String?
        let timestamp: String

        /// Every field, `assigned_by` as null when nobody assigned it (docs/API.md).
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(type, forKey: .type)
            try container.encode(session_id, forKey: .session_id)
            try container.encode(agent_id, forKey: .agent_id)
            try container.encode(agent_name, forKey: .agent_name)
            try container.encode(assigned_by, forKey: .assigned_by)
            try container.encode(timestamp, forKey: .timestamp)
        }

        private enum CodingKeys: String, CodingKey {
            case type, session_id, agent_id, agent_name, assigned_by, timestamp
        }
    }

    struct TransferredEvent: Encodable {
        let type = "session_transferred"
        let session_id: String
        let department: String
        let department_name: String
        let from_department: String?
        let transferred_by: String?
        let timestamp: String

        /// Every field, `from_department` and `transferred_by` as null when there is none (docs/API.md).
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(type, forKey: .type)
            try container.encode(session_id, forKey: .session_id)
            try container.encode(department, forKey: .department)
            try container.encode(department_name, forKey: .department_name)
            try container.encode(from_department, forKey: .from_department)
            try container.encode(transferred_by, forKey: .transferred_by)
            try container.encode(timestamp, forKey: .timestamp)
        }

        private enum CodingKeys: String, CodingKey {
            case type, session_id, department, department_name, from_department, transferred_by, timestamp
        }
    }

    /// Gives the chat to `agentID`. It must be unassigned, already theirs, or handed over by its
    /// current agent (an admin may always reassign); two agents taking it at once: one wins.
    package func assign(_ session: ChatSession, to agentID: UUID, by caller: Identity) async throws -> Agent {
        guard let agent = try await directoryStore.agent(agentID), agent.businessID == session.businessID else { throw ChatError.agentNotFound }
        guard agent.active else { throw ChatError.invalid("agent_id", "This agent is deactivated.") }
        guard session.isActive else { throw ChatError.sessionEnded }
        let allowed: Set<UUID?>? = caller == .admin ? nil : [nil, agentID, caller.subject]
        guard try await sessionStore.assign(session: session.id, to: agentID, ifCurrentIn: allowed) else {
            if try await sessionStore.session(session.id)?.isActive == false { throw ChatError.sessionEnded }
            throw ChatError.alreadyAssigned
        }
        try await announceAssigned(session, agent: agent, by: caller.subject)
        return agent
    }

    /// Moves the chat to another department of its business; it waits there unassigned (or is
    /// dealt to an online agent of that department when the business auto-assigns).
    package func transfer(_ session: ChatSession, to departmentID: UUID, by caller: Identity) async throws -> Department {
        guard let department = try await directoryStore.department(departmentID), department.businessID == session.businessID else {
            throw ChatError.departmentNotFound
        }
        guard session.isActive else { throw ChatError.sessionEnded }
        guard try await sessionStore.transfer(session: session.id, to: departmentID) else { throw ChatError.sessionEnded }
        let change = TransferredEvent(
            session_id: session.id.lowercasedText, department: departmentID.lowercasedText, department_name: department.name,
            from_department: session.departmentID?.lowercasedText, transferred_by: caller.subject?.lowercasedText,
            timestamp: WireTime.iso(WireTime.now()))
        try await log.publish(FeedDraft(business: session.businessID, type: change.type, session: session.id, body: change))
        if try await directoryStore.business(session.businessID)?.autoAssign == true, let moved = try await sessionStore.session(session.id) {
            try await autoAssign(moved)
        }
        return department
    }

    /// Deals an unassigned chat to the next online agent of its department (or of the whole
    /// business for agents without a department), if there is one.
    package func autoAssign(_ session: ChatSession) async throws {
        let agents = try await directoryStore.agents(of: session.businessID).filter { agent in
            agent.active && (session.departmentID == nil || agent.departmentID == nil || agent.departmentID == session.departmentID)
        }
        let pool = "\(session.businessID)/\(session.departmentID?.uuidString ?? "-")"
        guard let chosen = await presence.nextAgent(among: agents.map(\.id), pool: pool),
              let agent = agents.first(where: { $0.id == chosen }),
              try await sessionStore.assign(session: session.id, to: chosen, ifCurrentIn: [nil])
        else { return }
        try await announceAssigned(session, agent: agent, by: nil)
    }

    private func announceAssigned(_ session: ChatSession, agent: Agent, by: UUID?) async throws {
        let change = AssignedEvent(
            session_id: session.id.lowercasedText, agent_id: agent.id.lowercasedText, agent_name: agent.name,
            assigned_by: by?.lowercasedText, timestamp: WireTime.iso(WireTime.now()))
        try await log.publish(FeedDraft(business: session.businessID, type: change.type, session: session.id, body: change))
    }
}
