import Foundation

/// A visitor's rating of a chat once it ended (CSAT): 1 to 5 stars and an optional comment.
package struct Rating: Sendable, Equatable {
    package var sessionID: UUID
    package var businessID: UUID
    package var score: Int
    package var comment: String?
    package var createdAt: Date

    package init(sessionID: UUID, businessID: UUID, score: Int, comment: String?, createdAt: Date = WireTime.now()) {
        self.sessionID = sessionID
        self.businessID = businessID
        self.score = score
        self.comment = comment
        self.createdAt = createdAt
    }
}
