import Foundation

/// `POST /chat/sessions/<id>/rating/`: the session's visitor rates it once it has ended; the
/// business feed hears it (`session_rated`).
package struct RatingService: Sendable {
    let ratingStore: any RatingStore
    let log: any EventLog
    let sessionAccess: SessionAccess

    package static let ratingCommentLimit = 1000

    private struct SessionRatedEvent: Encodable {
        struct Stars: Encodable {
            let score: Int
            let comment: String?

            func encode(to encoder: any Encoder) throws {
                enum Keys: String, CodingKey { case score, comment }
                var c = encoder.container(keyedBy: Keys.self)
                try c.encode(score, forKey: .score)
                try c.encode(comment, forKey: .comment)
            }
        }

        let type = "session_rated"
        let session_id: String
        let rating: Stars
        let timestamp: String
    }

    package func rate(session id: UUID, as identity: Identity, score: Int, comment: String?) async throws -> Rating {
        let session = try await sessionAccess.session(id, as: identity)
        guard case .visitor = identity else { throw ChatError.forbidden }
        guard (1...5).contains(score) else { throw ChatError.invalid("score", "Must be an integer from 1 to 5.") }
        let text = comment?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let text, text.count > Self.ratingCommentLimit {
            throw ChatError.invalid("comment", "Ensure this field has no more than \(Self.ratingCommentLimit) characters.")
        }
        guard !session.isActive else { throw ChatError.sessionNotEnded }
        let rating = Rating(sessionID: id, businessID: session.businessID, score: score, comment: text?.isEmpty == false ? text : nil)
        if try await ratingStore.rating(of: id) != nil { throw ChatError.alreadyRated }
        do {
            try await ratingStore.insert(rating)
        } catch {
            if try await ratingStore.rating(of: id) != nil { throw ChatError.alreadyRated }
            throw error
        }
        try await log.publish(FeedDraft(business: session.businessID, type: "session_rated", body: SessionRatedEvent(
            session_id: id.lowercasedText, rating: .init(score: rating.score, comment: rating.comment),
            timestamp: WireTime.iso(rating.createdAt))))
        return rating
    }
}
