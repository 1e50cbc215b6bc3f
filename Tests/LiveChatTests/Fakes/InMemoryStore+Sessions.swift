import Foundation
@testable import ChatDomain

/// `SessionStore`: sessions (one active per visitor and business, as the partial unique index
/// `one_active_session_per_visitor` keeps it), their assignment and the inbox.
extension InMemoryStore: SessionStore {
    /// A test's setup (the port has no insert: the writer stores sessions, `InMemoryEventLog.open`).
    func insert(_ session: ChatSession) async throws {
        try withTables { tables in try tables.insertSession(session) }
    }

    func session(_ id: UUID) async throws -> ChatSession? {
        reading { $0.session(id) }
    }

    func activeSession(visitor: UUID, business: UUID) async throws -> ChatSession? {
        reading { $0.activeSession(visitor: visitor, business: business) }
    }

    func assign(session: UUID, to agent: UUID, ifCurrentIn allowedCurrent: Set<UUID?>?) async throws -> Bool {
        reading { tables in
            guard let index = tables.sessions.firstIndex(where: { $0.id == session && $0.isActive }) else { return false }
            if let allowedCurrent, !allowedCurrent.contains(tables.sessions[index].assignedAgentID) { return false }
            tables.sessions[index].assignedAgentID = agent
            return true
        }
    }

    func transfer(session: UUID, to department: UUID) async throws -> Bool {
        try withTables { tables in
            guard let index = tables.sessions.firstIndex(where: { $0.id == session && $0.isActive }) else { return false }
            guard tables.departments.contains(where: { $0.id == department }) else { throw FakeStoreError.foreignKeyViolation("department_id") }
            tables.sessions[index].departmentID = department
            tables.sessions[index].assignedAgentID = nil
            return true
        }
    }

    /// Newest first (`started_at DESC, id DESC`), below the cursor's position.
    func sessions(matching inbox: InboxQuery, limit: Int) async throws -> [ChatSession] {
        let found = reading { tables in
            tables.sessions.filter { session in
                guard session.businessID == inbox.business else { return false }
                if let active = inbox.active, session.isActive != active { return false }
                if let department = inbox.department, session.departmentID != department { return false }
                switch inbox.assigned {
                case .agent(let agent)?: if session.assignedAgentID != agent { return false }
                case .nobody?: if session.assignedAgentID != nil { return false }
                case .anybody?: if session.assignedAgentID == nil { return false }
                case nil: break
                }
                if let cursor = inbox.after {
                    return session.startedAt < cursor.startedAt
                        || (session.startedAt == cursor.startedAt && session.id.uuidString < cursor.id.uuidString)
                }
                return true
            }
        }
        // Upper-case hex sorts as the ids' bytes do (the databases compare those).
        let sorted = found.sorted { ($0.startedAt, $0.id.uuidString) > ($1.startedAt, $1.id.uuidString) }
        return Array(sorted.prefix(limit))
    }

    /// The last message (notes included), `reader`'s unread count (messages past its marker it
    /// did not send), the rating of an ended session.
    func overviews(of sessions: [ChatSession], reader: UUID?) async throws -> [SessionOverview] {
        reading { tables in
            sessions.map { session in
                let messages = tables.messages.filter { $0.wire.sessionID == session.id }.map(\.wire)
                var unread = 0
                if let reader {
                    let marker = tables.readMarkers[Tables.ReaderKey(session: session.id, reader: reader)] ?? 0
                    unread = messages.filter { $0.seq > marker && $0.senderID != reader }.count
                }
                return SessionOverview(
                    visitor: tables.visitors.first { $0.id == session.visitorID },
                    department: session.departmentID.flatMap { id in tables.departments.first { $0.id == id } },
                    assignedAgentName: session.assignedAgentID.flatMap { id in tables.agents.first { $0.id == id }?.name },
                    lastMessage: messages.max { $0.seq < $1.seq },
                    unreadCount: unread,
                    rating: session.isActive ? nil : tables.ratings.first { $0.sessionID == session.id })
            }
        }
    }
}

extension Tables {
    func activeSession(visitor: UUID, business: UUID) -> ChatSession? {
        sessions.first { $0.visitorID == visitor && $0.businessID == business && $0.isActive }
    }

    /// The `chat_sessions` insert, shared with the writer's openings.
    mutating func insertSession(_ session: ChatSession) throws {
        guard !sessions.contains(where: { $0.id == session.id }) else { throw FakeStoreError.uniqueViolation("chat_sessions.id") }
        if session.isActive, activeSession(visitor: session.visitorID, business: session.businessID) != nil {
            throw FakeStoreError.uniqueViolation("one_active_session_per_visitor")
        }
        try requireBusiness(session.businessID)
        guard visitors.contains(where: { $0.id == session.visitorID }) else { throw FakeStoreError.foreignKeyViolation("visitor_id") }
        if let department = session.departmentID, !departments.contains(where: { $0.id == department }) {
            throw FakeStoreError.foreignKeyViolation("department_id")
        }
        sessions.append(session)
    }
}
