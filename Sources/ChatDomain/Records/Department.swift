import Foundation

/// A team of a business that chats can be routed to.
package struct Department: Sendable, Equatable {
    package var id: UUID
    package var businessID: UUID
    package var name: String
    package var createdAt: Date

    package init(id: UUID = UUID(), businessID: UUID, name: String, createdAt: Date = WireTime.now()) {
        self.id = id
        self.businessID = businessID
        self.name = name
        self.createdAt = createdAt
    }
}
