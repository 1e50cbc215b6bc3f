import ChatDomain
import Fluent
import Foundation
import SQLKit

extension FluentChatStore {
    /// SQL rather than `Model.create`: FluentKit lists a model's fields by reflection at each
    /// create, the largest single cost of start-session when profiled.
    package func insert(_ session: ChatSession) async throws {
        try await db.sql().raw("""
            INSERT INTO chat_sessions (id, business_id, department_id, visitor_id, started_at, ended_at, last_seq, assigned_agent_id)
            VALUES (\(bind: session.id), \(bind: session.businessID), \(bind: session.departmentID), \(bind: session.visitorID),
                    \(bind: session.startedAt), \(bind: session.endedAt), 0, \(bind: session.assignedAgentID))
            """).run()
    }

    /// SQL and column reads rather than `Model.find`: FluentKit reads a model's fields by
    /// reflection, and every handshake reads its session (profiled).
    package func session(_ id: UUID) async throws -> ChatSession? {
        guard let row = try await db.sql().raw("""
            SELECT id, business_id, department_id, visitor_id, started_at, ended_at, assigned_agent_id
            FROM chat_sessions WHERE id = \(bind: id)
            """).first() else { return nil }
        return ChatSession(
            id: try row.decode(column: "id", as: UUID.self), businessID: try row.decode(column: "business_id", as: UUID.self),
            departmentID: try row.decode(column: "department_id", as: UUID?.self),
            visitorID: try row.decode(column: "visitor_id", as: UUID.self), startedAt: try row.decode(column: "started_at", as: Date.self),
            endedAt: try row.decode(column: "ended_at", as: Date?.self),
            assignedAgentID: try row.decode(column: "assigned_agent_id", as: UUID?.self))
    }

    package func activeSession(visitor: UUID, business: UUID) async throws -> ChatSession? {
        try await ChatSessionModel.query(on: db)
            .filter(\.$businessID == business)
            .filter(\.$visitorID == visitor)
            .filter(\.$endedAt == nil)
            .first()?.record
    }

    package func assign(session: UUID, to agent: UUID, ifCurrentIn allowedCurrent: Set<UUID?>?) async throws -> Bool {
        var query: SQLQueryString = "UPDATE chat_sessions SET assigned_agent_id = \(bind: agent) WHERE id = \(bind: session) AND ended_at IS NULL"
        if let allowedCurrent {
            var alternatives: [SQLQueryString] = []
            if allowedCurrent.contains(nil) { alternatives.append("assigned_agent_id IS NULL") }
            let agents = allowedCurrent.compactMap { $0 }
            if !agents.isEmpty { alternatives.append("assigned_agent_id IN (\(binds: agents))") }
            guard !alternatives.isEmpty else { return false }
            query += " AND ("
            for (index, alternative) in alternatives.enumerated() {
                query += index == 0 ? alternative : " OR " + alternative
            }
            query += ")"
        }
        query += " RETURNING id"
        return try await !db.sql().raw(query).all().isEmpty
    }

    package func transfer(session: UUID, to department: UUID) async throws -> Bool {
        try await !db.sql().raw("""
            UPDATE chat_sessions SET department_id = \(bind: department), assigned_agent_id = NULL
            WHERE id = \(bind: session) AND ended_at IS NULL RETURNING id
            """).all().isEmpty
    }

    package func sessions(matching inbox: InboxQuery, limit: Int) async throws -> [ChatSession] {
        var query = ChatSessionModel.query(on: db).filter(\.$businessID == inbox.business)
        switch inbox.active {
        case true?: query = query.filter(\.$endedAt == nil)
        case false?: query = query.filter(\.$endedAt != nil)
        case nil: break
        }
        if let department = inbox.department { query = query.filter(\.$departmentID == department) }
        switch inbox.assigned {
        case .agent(let agent)?: query = query.filter(\.$assignedAgentID == agent)
        case .nobody?: query = query.filter(\.$assignedAgentID == nil)
        case .anybody?: query = query.filter(\.$assignedAgentID != nil)
        case nil: break
        }
        if let cursor = inbox.after {
            query = query.group(.or) { either in
                either.filter(\.$startedAt < cursor.startedAt)
                    .group(.and) { $0.filter(\.$startedAt == cursor.startedAt).filter(\.$id < cursor.id) }
            }
        }
        return try await query.sort(\.$startedAt, .descending).sort(\.$id, .descending).limit(limit).all().map(\.record)
    }

    package func overviews(of sessions: [ChatSession], reader: UUID?) async throws -> [SessionOverview] {
        let visitorIDs = Set(sessions.map(\.visitorID))
        let departmentIDs = Set(sessions.compactMap(\.departmentID))
        let agentIDs = Set(sessions.compactMap(\.assignedAgentID))
        let visitors = try await VisitorModel.query(on: db).filter(\.$id ~~ visitorIDs).all()
            .reduce(into: [UUID: VisitorModel]()) { $0[$1.id ?? UUID()] = $1 }
        let departments = departmentIDs.isEmpty ? [:] : try await DepartmentModel.query(on: db).filter(\.$id ~~ departmentIDs).all()
            .reduce(into: [UUID: Department]()) { $0[$1.id ?? UUID()] = $1.record }
        let agents = agentIDs.isEmpty ? [:] : try await AgentModel.query(on: db).filter(\.$id ~~ agentIDs).all()
            .reduce(into: [UUID: AgentModel]()) { $0[$1.id ?? UUID()] = $1 }
        var overviews: [SessionOverview] = []
        for session in sessions {
            let last = try await ChatMessageModel.query(on: db).filter(\.$sessionID == session.id).sort(\.$seq, .descending).first()
            var unread = 0
            if let reader, last != nil {
                let marker = try await ReadMarkerModel.query(on: db).filter(\.$sessionID == session.id).filter(\.$readerID == reader).first()
                unread = try await ChatMessageModel.query(on: db)
                    .filter(\.$sessionID == session.id)
                    .filter(\.$seq > (marker?.lastReadSeq ?? 0))
                    .filter(\.$senderID != reader)
                    .count()
            }
            overviews.append(SessionOverview(
                externalCustomerID: visitors[session.visitorID]?.externalCustomerID,
                department: session.departmentID.flatMap { departments[$0] },
                assignedAgentName: session.assignedAgentID.flatMap { agents[$0]?.name },
                lastMessage: last?.record,
                unreadCount: unread))
        }
        return overviews
    }
}
