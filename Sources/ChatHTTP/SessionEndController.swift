import ChatDomain
import ChatRealtime
import Vapor

/// `POST /chat/sessions/<id>/end/`: the visitor or an agent of the business ends the chat.
package struct SessionEndController: RouteCollection {
    struct Payload: Content {
        let session_id: String
        let active: Bool
        let ended_at: String
    }

    package init() {}

    package func boot(routes: any RoutesBuilder) throws {
        routes.post("chat", "sessions", ":session", "end", use: end)
    }

    @Sendable
    func end(req: Request) async throws -> Response {
        let id = try SessionAccess.sessionID(req.parameters.get("session"))
        let endedAt = try await req.chat.sessionAccess.endSession(id, as: try await req.requireIdentity())
        let payload = Payload(session_id: id.lowercasedText, active: false, ended_at: WireTime.iso(endedAt))
        return try Envelope(message: "Chat session ended successfully", data: payload).response()
    }
}
