import Foundation

/// One conversation between a visitor and a business; `endedAt == nil` means active.
package struct ChatSession: Sendable, Equatable {
    package var id: UUID
    package var businessID: UUID
    package var departmentID: UUID?
    package var visitorID: UUID
    package var startedAt: Date
    package var endedAt: Date?
    package var assignedAgentID: UUID?

    package init(id: UUID = UUID(), businessID: UUID, departmentID: UUID?, visitorID: UUID, startedAt: Date = WireTime.now(),
                 endedAt: Date? = nil, assignedAgentID: UUID? = nil) {
        self.id = id
        self.businessID = businessID
        self.departmentID = departmentID
        self.visitorID = visitorID
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.assignedAgentID = assignedAgentID
    }

    package var isActive: Bool { endedAt == nil }
}
