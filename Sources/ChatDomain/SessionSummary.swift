import Foundation

/// A session as the inbox shows it: visitor, department, assigned agent (with presence), last
/// message and the calling agent's unread count.
package struct SessionSummary: Encodable, Sendable {
    struct VisitorInfo: Encodable, Sendable {
        let id: String
        let external_customer_id: String?
        let name: String?
        let email: String?

        init(id: String, _ visitor: Visitor?) {
            self.id = id
            external_customer_id = visitor?.externalCustomerID
            name = visitor?.name
            email = visitor?.email
        }

        /// What a visitor did not give is written as null.
        func encode(to encoder: any Encoder) throws {
            enum Keys: String, CodingKey { case id, external_customer_id, name, email }
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(id, forKey: .id)
            try c.encode(external_customer_id, forKey: .external_customer_id)
            try c.encode(name, forKey: .name)
            try c.encode(email, forKey: .email)
        }
    }

    struct DepartmentInfo: Encodable, Sendable {
        let id: String
        let name: String
    }

    struct RatingInfo: Encodable, Sendable {
        let score: Int
        let comment: String?
        let rated_at: String

        init(_ rating: Rating) {
            score = rating.score
            comment = rating.comment
            rated_at = WireTime.iso(rating.createdAt)
        }

        func encode(to encoder: any Encoder) throws {
            enum Keys: String, CodingKey { case score, comment, rated_at }
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(score, forKey: .score)
            try c.encode(comment, forKey: .comment)
            try c.encode(rated_at, forKey: .rated_at)
        }
    }

    struct AgentInfo: Encodable, Sendable {
        let id: String
        let name: String
        let online: Bool
    }

    package let session_id: String
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
    let rating: RatingInfo?

    package func encode(to encoder: any Encoder) throws {
        enum Keys: String, CodingKey {
            case session_id, id, business, active, started_at, ended_at, visitor, department, assigned_agent, last_message, unread_count
            case rating
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
        try c.encode(rating, forKey: .rating)
    }
}

extension SessionSummary {
    /// A session just created: no agent, no message, nothing unread; nothing to read back.
    init(new session: ChatSession, visitor: Visitor, department: Department?) {
        let id = session.id.lowercasedText
        self.init(
            session_id: id, id: id, business: session.businessID.lowercasedText, active: true,
            started_at: WireTime.iso(session.startedAt), ended_at: nil,
            visitor: .init(id: visitor.id.lowercasedText, visitor),
            department: department.map { .init(id: $0.id.lowercasedText, name: $0.name) },
            assigned_agent: nil, last_message: nil, unread_count: 0, rating: nil)
    }
}

extension InboxService {
    /// The summaries of `sessions` as `reader` (an agent, or nil) sees them.
    package func summaries(of sessions: [ChatSession], reader: UUID?) async throws -> [SessionSummary] {
        let overviews = try await sessionStore.overviews(of: sessions, reader: reader)
        let online = await presence.online(among: Set(sessions.compactMap(\.assignedAgentID)))
        var summaries: [SessionSummary] = []
        summaries.reserveCapacity(sessions.count)
        for (session, overview) in zip(sessions, overviews) {
            var agent: SessionSummary.AgentInfo?
            if let agentID = session.assignedAgentID {
                agent = .init(id: agentID.lowercasedText, name: overview.assignedAgentName ?? "Agent", online: online.contains(agentID))
            }
            let id = session.id.lowercasedText
            summaries.append(SessionSummary(
                session_id: id, id: id, business: session.businessID.lowercasedText,
                active: session.isActive, started_at: WireTime.iso(session.startedAt), ended_at: session.endedAt.map(WireTime.iso),
                visitor: .init(id: session.visitorID.lowercasedText, overview.visitor),
                department: overview.department.map { .init(id: $0.id.lowercasedText, name: $0.name) },
                assigned_agent: agent,
                last_message: overview.lastMessage,
                unread_count: overview.unreadCount,
                rating: overview.rating.map(SessionSummary.RatingInfo.init)))
        }
        return summaries
    }
}
