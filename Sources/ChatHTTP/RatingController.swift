import ChatDomain
import ChatRealtime
import Vapor

/// `POST /chat/sessions/<id>/rating/`: the session's visitor rates the chat once it has ended.
package struct RatingController: RouteCollection {
    struct Payload: Content {
        let session_id: String
        let score: Int
        let comment: String?
        let rated_at: String

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(session_id, forKey: .session_id)
            try c.encode(score, forKey: .score)
            try c.encode(comment, forKey: .comment)
            try c.encode(rated_at, forKey: .rated_at)
        }
    }

    package init() {}

    package func boot(routes: any RoutesBuilder) throws {
        routes.post("chat", "sessions", ":session", "rating", use: rate)
    }

    @Sendable
    func rate(req: Request) async throws -> Response {
        let id = try SessionAccess.sessionID(req.parameters.get("session"))
        let identity = try await req.requireIdentity()
        let fields = try req.jsonFields()
        guard let score = try fields.integer("score") else { throw ChatError.invalid("score", "This field is required.") }
        let comment = try fields.string("comment", maxLength: 4000)
        let rating = try await req.chat.ratings.rate(session: id, as: identity, score: score, comment: comment)
        let payload = Payload(session_id: id.lowercasedText, score: rating.score, comment: rating.comment, rated_at: WireTime.iso(rating.createdAt))
        return try Envelope(message: "Thank you for your feedback", data: payload).response(status: .created)
    }
}
