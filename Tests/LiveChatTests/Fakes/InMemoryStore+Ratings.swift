import Foundation
@testable import ChatDomain

/// `RatingStore`: one rating per session (the session is the key of `session_ratings`).
extension InMemoryStore: RatingStore {
    func insert(_ rating: Rating) async throws {
        try withTables { tables in
            guard !tables.ratings.contains(where: { $0.sessionID == rating.sessionID }) else {
                throw FakeStoreError.uniqueViolation("session_ratings.session_id")
            }
            try tables.requireSession(rating.sessionID)
            try tables.requireBusiness(rating.businessID)
            tables.ratings.append(rating)
        }
    }

    func rating(of session: UUID) async throws -> Rating? {
        reading { $0.ratings.first { $0.sessionID == session } }
    }
}
