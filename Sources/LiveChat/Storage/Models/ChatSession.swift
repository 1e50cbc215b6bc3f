import Fluent
import Foundation

/// One conversation between a visitor and a business. `lastSeq` numbers its messages;
/// `endedAt == nil` means active. `@unchecked Sendable`: see `Business`.
final class ChatSession: Model, @unchecked Sendable {
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

    init(id: UUID = UUID(), businessID: UUID, departmentID: UUID?, visitorID: UUID) {
        self.id = id
        self.businessID = businessID
        self.departmentID = departmentID
        self.visitorID = visitorID
        self.startedAt = WireTime.now()
        self.endedAt = nil
        self.lastSeq = 0
    }

    var isActive: Bool { endedAt == nil }
}
