import ChatDomain
import Fluent
import Foundation

/// One conversation between a visitor and a business. `lastSeq` numbers its messages;
/// `endedAt == nil` means active. `@unchecked Sendable`: see `BusinessModel`.
final class ChatSessionModel: Model, @unchecked Sendable {
    static let schema = "chat_sessions"

    @ID(key: .id) var id: UUID?
    @Field(key: "business_id") var businessID: UUID
    @OptionalField(key: "department_id") var departmentID: UUID?
    @Field(key: "visitor_id") var visitorID: UUID
    @Field(key: "started_at") var startedAt: Date
    @OptionalField(key: "ended_at") var endedAt: Date?
    @Field(key: "last_seq") var lastSeq: Int
    @OptionalField(key: "assigned_agent_id") var assignedAgentID: UUID?

    init() {}

    init(_ session: ChatSession) {
        id = session.id
        businessID = session.businessID
        departmentID = session.departmentID
        visitorID = session.visitorID
        startedAt = session.startedAt
        endedAt = session.endedAt
        lastSeq = 0
        assignedAgentID = session.assignedAgentID
    }

    var record: ChatSession {
        ChatSession(id: id ?? UUID(), businessID: businessID, departmentID: departmentID, visitorID: visitorID,
                    startedAt: startedAt, endedAt: endedAt, assignedAgentID: assignedAgentID)
    }
}
