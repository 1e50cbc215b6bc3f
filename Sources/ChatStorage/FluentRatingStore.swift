import ChatDomain
import Fluent
import Foundation
import SQLKit

/// Ratings of ended sessions.
package struct FluentRatingStore: RatingStore {
    let db: any Database

    package init(db: any Database) {
        self.db = db
    }

    package func insert(_ rating: Rating) async throws {
        try await db.sql().raw("""
            INSERT INTO session_ratings (session_id, business_id, score, comment, created_at)
            VALUES (\(bind: rating.sessionID), \(bind: rating.businessID), \(bind: rating.score), \(bind: rating.comment), \(bind: rating.createdAt))
            """).run()
    }

    package func rating(of session: UUID) async throws -> Rating? {
        try await ratings(of: [session])[session]
    }

    /// The ratings of `sessions` that have one, by session.
    func ratings(of sessions: [UUID]) async throws -> [UUID: Rating] {
        guard !sessions.isEmpty else { return [:] }
        let ids: [any Encodable & Sendable] = sessions
        return try await db.sql().raw("""
            SELECT session_id, business_id, score, comment, created_at FROM session_ratings WHERE session_id IN (\(binds: ids))
            """).all().reduce(into: [UUID: Rating]()) { found, row in
                let rating = Rating(
                    sessionID: try row.decode(column: "session_id", as: UUID.self), businessID: try row.decode(column: "business_id", as: UUID.self),
                    score: try row.decode(column: "score", as: Int.self), comment: try row.decode(column: "comment", as: String?.self),
                    createdAt: try row.decode(column: "created_at", as: Date.self))
                found[rating.sessionID] = rating
            }
    }
}
