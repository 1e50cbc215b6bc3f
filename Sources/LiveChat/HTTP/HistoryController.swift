import Vapor

/// `GET /chat/history/<session_id>/`: the combined timeline, with `after` and `limit`.
struct HistoryController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("chat", "history", ":session", use: history)
    }

    @Sendable
    func history(req: Request) async throws -> Response {
        let id = try SessionAccess.id(req.parameters.get("session"))
        let publicAccess = req.chat.config.publicVisitorHTTP && req.bearerToken == nil
        let caller: Identity? = publicAccess ? nil : try await req.requireIdentity()
        let session = try await SessionAccess.load(id, on: req.db)
        if let caller { try SessionAccess.require(caller, on: session) }

        var after: UUID?
        if let raw = req.query[String.self, at: "after"], !raw.isEmpty {
            guard let parsed = UUID(uuidString: raw) else { throw ChatError.invalid("after", "Must be a message id (UUID).") }
            after = parsed
        }
        var limit = Timeline.defaultLimit
        if let raw = req.query[String.self, at: "limit"] {
            guard let parsed = Int(raw), (1...Timeline.maxLimit).contains(parsed) else {
                throw ChatError.invalid("limit", "Must be an integer from 1 to \(Timeline.maxLimit).")
            }
            limit = parsed
        }
        let items = try await Timeline(db: req.db).items(of: id, after: after, limit: limit)
        return try Envelope(message: "Chat timeline fetched successfully", data: items).response()
    }
}
