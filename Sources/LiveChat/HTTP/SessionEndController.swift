import Vapor

/// `POST /chat/sessions/<id>/end/`: the visitor or an agent of the business ends the chat.
struct SessionEndController: RouteCollection {
    struct Payload: Content {
        let session_id: String
        let active: Bool
        let ended_at: String
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.post("chat", "sessions", ":session", "end", use: end)
    }

    @Sendable
    func end(req: Request) async throws -> Response {
        let id = try SessionAccess.id(req.parameters.get("session"))
        let caller = try await req.requireIdentity()
        let session = try await SessionAccess.load(id, on: req.db)
        try SessionAccess.require(caller, on: session)
        let endedAt: Date
        if let now = try await req.chat.writer.end(session: id) {
            endedAt = now
        } else {
            endedAt = try await SessionAccess.load(id, on: req.db).endedAt ?? WireTime.now()
        }
        let payload = Payload(session_id: id.lowercasedText, active: false, ended_at: WireTime.iso(endedAt))
        return try Envelope(message: "Chat session ended successfully", data: payload).response()
    }
}
