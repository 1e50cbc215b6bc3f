import Fluent
import Foundation

/// A session as the inbox shows it: visitor, department, assigned agent (with presence), last
/// message and the calling agent's unread count.
struct SessionSummary: Encodable, Sendable {
    struct VisitorInfo: Encodable, Sendable {
        let id: String
        let external_customer_id: String?
    }

    struct DepartmentInfo: Encodable, Sendable {
        let id: String
        let name: String
    }

    struct AgentInfo: Encodable, Sendable {
        let id: String
        let name: String
        let online: Bool
    }

    let session_id: String
    let id: String
    let business: String
    let active: Bool
    let started_at: String
    let ended_at: String?
    let visitor: VisitorInfo
    let department: DepartmentInfo?
    let assigned_agent: AgentInfo?
    let last_message: WireMessage?
    let unread_count: Int

    func encode(to encoder: any Encoder) throws {
        enum Keys: String, CodingKey {
            case session_id, id, business, active, started_at, ended_at, visitor, department, assigned_agent, last_message, unread_count
        }
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(session_id, forKey: .session_id)
        try c.encode(id, forKey: .id)
        try c.encode(business, forKey: .business)
        try c.encode(active, forKey: .active)
        try c.encode(started_at, forKey: .started_at)
        try c.encode(ended_at, forKey: .ended_at)
        try c.encode(visitor, forKey: .visitor)
        try c.encode(department, forKey: .department)
        try c.encode(assigned_agent, forKey: .assigned_agent)
        try c.encode(last_message, forKey: .last_message)
        try c.encode(unread_count, forKey: .unread_count)
    }

    /// Builds the summaries of `sessions` as `reader` (an agent, or nil) sees them.
    static func make(_ sessions: [ChatSession], reader: UUID?, presence: Presence, on db: any Database) async throws -> [SessionSummary] {
        let visitorIDs = Set(sessions.map(\.visitorID))
        let departmentIDs = Set(sessions.compactMap(\.departmentID))
        let agentIDs = Set(sessions.compactMap(\.assignedAgentID))
        let visitors = try await Visitor.query(on: db).filter(\.$id ~~ visitorIDs).all().reduce(into: [UUID: Visitor]()) { $0[$1.id ?? UUID()] = $1 }
        let departments = departmentIDs.isEmpty ? [:] : try await Department.query(on: db).filter(\.$id ~~ departmentIDs).all()
            .reduce(into: [UUID: Department]()) { $0[$1.id ?? UUID()] = $1 }
        let agents = agentIDs.isEmpty ? [:] : try await Agent.query(on: db).filter(\.$id ~~ agentIDs).all()
            .reduce(into: [UUID: Agent]()) { $0[$1.id ?? UUID()] = $1 }
        var summaries: [SessionSummary] = []
        for session in sessions {
            let id = try session.requireID()
            let last = try await ChatMessage.query(on: db).filter(\.$sessionID == id).sort(\.$seq, .descending).first()
            var unread = 0
            if let reader, last != nil {
                let marker = try await ReadMarker.query(on: db).filter(\.$sessionID == id).filter(\.$readerID == reader).first()
                unread = try await ChatMessage.query(on: db)
                    .filter(\.$sessionID == id)
                    .filter(\.$seq > (marker?.lastReadSeq ?? 0))
                    .filter(\.$senderID != reader)
                    .count()
            }
            var agentInfo: AgentInfo?
            if let agentID = session.assignedAgentID {
                agentInfo = AgentInfo(id: agentID.lowercasedText, name: agents[agentID]?.name ?? "Agent",
                                      online: await presence.isOnline(agentID))
            }
            summaries.append(SessionSummary(
                session_id: id.lowercasedText, id: id.lowercasedText,
                business: session.businessID.lowercasedText,
                active: session.isActive, started_at: WireTime.iso(session.startedAt), ended_at: session.endedAt.map(WireTime.iso),
                visitor: VisitorInfo(id: session.visitorID.lowercasedText, external_customer_id: visitors[session.visitorID]?.externalCustomerID),
                department: session.departmentID.flatMap { departments[$0] }.map { DepartmentInfo(id: $0.id?.lowercasedText ?? "", name: $0.name) },
                assigned_agent: agentInfo,
                last_message: last.map(WireMessage.init),
                unread_count: unread))
        }
        return summaries
    }
}
