import ChatDomain
import ChatRealtime
import Vapor

/// `GET /chat/history/<session_id>/`: the combined timeline, with `after` and `limit`.
package struct HistoryController: RouteCollection {
    package init() {}

    package func boot(routes: any RoutesBuilder) throws {
        routes.get("chat", "history", ":session", use: history)
    }

    @Sendable
    func history(req: Request) async throws -> Response {
        let id = try SessionAccess.sessionID(req.parameters.get("session"))
        let publicAccess = req.webSettings.publicVisitorHTTP && req.bearerToken == nil
        let caller: Identity? = publicAccess ? nil : try await req.requireIdentity()
        _ = try await req.chat.sessionAccess.session(id, as: caller ?? .admin)
        var after: UUID?
        if let raw = req.queryValue("after"), !raw.isEmpty {
            guard let parsed = UUID(text: raw) else { throw ChatError.invalid("after", "Must be a message id (UUID).") }
            after = parsed
        }
        let limit = try req.pageLimit(default: Timeline.defaultLimit, max: Timeline.maxLimit)
        let items = try await req.chat.inbox.timeline(of: id, as: caller, after: after, limit: limit)
        return try Envelope(message: "Chat timeline fetched successfully", data: items).response()
    }
}
