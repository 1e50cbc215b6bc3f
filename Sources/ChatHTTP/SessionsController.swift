import ChatDomain
import ChatRealtime
import Vapor

/// The agent's inbox and the hand-offs: `GET /chat/sessions/`, `POST /chat/sessions/<id>/assign/`,
/// `POST /chat/sessions/<id>/transfer/`. Only agents (and admins) of the session's business.
package struct SessionsController: RouteCollection {
    struct Page: Encodable {
        let message: String
        let data: [SessionSummary]
        let next_cursor: String?
    }

    package init() {}

    package func boot(routes: any RoutesBuilder) throws {
        routes.get("chat", "sessions", use: list)
        routes.post("chat", "sessions", ":session", "assign", use: assign)
        routes.post("chat", "sessions", ":session", "transfer", use: transfer)
    }

    @Sendable
    func list(req: Request) async throws -> Response {
        let (me, business) = try await req.requireAgent()
        var query = InboxQuery(business: business)
        if let raw = req.queryValue("active") {
            switch raw.lowercased() {
            case "true", "1": query.active = true
            case "false", "0": query.active = false
            default: throw ChatError.invalid("active", "Must be true or false.")
            }
        }
        if let raw = req.queryValue("department") {
            guard let department = UUID(text: raw) else { throw ChatError.invalid("department", "Must be a valid UUID.") }
            query.department = department
        }
        if let raw = req.queryValue("assigned") {
            switch raw.lowercased() {
            case "me": query.assigned = .agent(me)
            case "none", "false": query.assigned = .nobody
            case "true", "any": query.assigned = .anybody
            default:
                guard let agent = UUID(text: raw) else { throw ChatError.invalid("assigned", "Must be an agent id, me, none or any.") }
                query.assigned = .agent(agent)
            }
        }
        let limit = try req.pageLimit(default: InboxService.inboxDefaultLimit, max: InboxService.inboxMaxLimit)
        if let raw = req.queryValue("cursor"), !raw.isEmpty {
            guard let cursor = InboxCursor(raw) else { throw ChatError.invalid("cursor", "Not a cursor this server handed out.") }
            query.after = cursor
        }
        let (page, next) = try await req.chat.inbox.inbox(query, reader: me, limit: limit)
        let response = Response(status: .ok)
        try response.content.encode(Page(message: "Chat sessions fetched successfully", data: page, next_cursor: next?.text), as: .json)
        return response
    }

    @Sendable
    func assign(req: Request) async throws -> Response {
        let (session, caller) = try await target(req)
        let fields = try req.jsonFields()
        let agentID: UUID
        if let given = try fields.uuid("agent_id") {
            agentID = given
        } else if let me = caller.subject {
            agentID = me  // no agent_id: the caller takes the chat
        } else {
            throw ChatError.invalid("agent_id", "This field is required.")
        }
        let agent = try await req.chat.assignment.assign(session, to: agentID, by: caller)
        return try Envelope(message: "Chat session assigned to \(agent.name)", data: try await req.chat.inbox.summary(of: session.id, for: caller)).response()
    }

    @Sendable
    func transfer(req: Request) async throws -> Response {
        let (session, caller) = try await target(req)
        let fields = try req.jsonFields()
        guard let department = try fields.uuid("department") else { throw ChatError.invalid("department", "This field is required.") }
        let moved = try await req.chat.assignment.transfer(session, to: department, by: caller)
        return try Envelope(message: "Chat session transferred to \(moved.name)", data: try await req.chat.inbox.summary(of: session.id, for: caller)).response()
    }

    private func target(_ req: Request) async throws -> (ChatSession, Identity) {
        let id = try SessionAccess.sessionID(req.parameters.get("session"))
        let caller = try await req.requireIdentity()
        if case .visitor = caller { throw ChatError.forbidden }
        return (try await req.chat.sessionAccess.session(id, as: caller), caller)
    }
}
