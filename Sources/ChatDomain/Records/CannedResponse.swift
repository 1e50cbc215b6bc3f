import Foundation

/// A reply a business's agents insert by its shortcut (`/greet` in the console's reply box).
package struct CannedResponse: Sendable, Equatable {
    package var id: UUID
    package var businessID: UUID
    /// 1 to 32 characters of `[a-z0-9_-]`, unique in the business.
    package var shortcut: String
    package var content: String
    package var createdAt: Date

    package init(id: UUID = UUID(), businessID: UUID, shortcut: String, content: String, createdAt: Date = WireTime.now()) {
        self.id = id
        self.businessID = businessID
        self.shortcut = shortcut
        self.content = content
        self.createdAt = createdAt
    }
}
