import Fluent
import Vapor

/// The agent's inbox and the hand-offs: `GET /chat/sessions/`, `POST /chat/sessions/<id>/assign/`,
/// `POST /chat/sessions/<id>/transfer/`. Only agents (and admins) of the session's business.
struct SessionsController: RouteCollection {
    struct Page: Encodable {
        let message: String
        let data: [SessionSummary]
        let next_cursor: String?
    }

    static let defaultLimit = 50
    static let maxLimit = 200

    func boot(routes: any RoutesBuilder) throws {
        routes.get("chat", "sessions", use: list)
        routes.post("chat", "sessions", ":session", "assign", use: assign)
        routes.post("chat", "sessions", ":session", "transfer", use: transfer)
    }

    /// The calling agent and its business (401 without a token, 403 for visitors and admins).
    private func agent(_ req: Request) async throws -> (id: UUID, business: UUID) {
        guard case .agent(let id, let business) = try await req.requireIdentity() else { throw ChatError.forbidden }
        return (id, business)
    }

    @Sendable
    func list(req: Request) async throws -> Response {
        let (me, business) = try await agent(req)
        var query = ChatSession.query(on: req.db).filter(\.$businessID == business)
        if let raw = req.query[String.self, at: "active"] {
            switch raw.lowercased() {
            case "true", "1": query = query.filter(\.$endedAt == nil)
            case "false", "0": query = query.filter(\.$endedAt != nil)
            default: throw ChatError.invalid("active", "Must be true or false.")
            }
        }
        if let raw = req.query[String.self, at: "department"] {
            guard let department = UUID(uuidString: raw) else { throw ChatError.invalid("department", "Must be a valid UUID.") }
            query = query.filter(\.$departmentID == department)
        }
        if let raw = req.query[String.self, at: "assigned"] {
            switch raw.lowercased() {
            case "me": query = query.filter(\.$assignedAgentID == me)
            case "none", "false": query = query.filter(\.$assignedAgentID == nil)
            case "true", "any": query = query.filter(\.$assignedAgentID != nil)
            default:
                guard let agent = UUID(uuidString: raw) else {
                    throw ChatError.invalid("assigned", "Must be an agent id, me, none or any.")
                }
                query = query.filter(\.$assignedAgentID == agent)
            }
        }
        var limit = Self.defaultLimit
        if let raw = req.query[String.self, at: "limit"] {
            guard let parsed = Int(raw), (1...Self.maxLimit).contains(parsed) else {
                throw ChatError.invalid("limit", "Must be an integer from 1 to \(Self.maxLimit).")
            }
            limit = parsed
        }
        if let raw = req.query[String.self, at: "cursor"], !raw.isEmpty {
            guard let cursor = InboxCursor(raw) else { throw ChatError.invalid("cursor", "Not a cursor this server handed out.") }
            query = query.group(.or) { either in
                either.filter(\.$startedAt < cursor.startedAt)
                    .group(.and) { $0.filter(\.$startedAt == cursor.startedAt).filter(\.$id < cursor.id) }
            }
        }
        let sessions = try await query.sort(\.$startedAt, .descending).sort(\.$id, .descending).limit(limit + 1).all()
        let page = Array(sessions.prefix(limit))
        let next = sessions.count > limit ? page.last.flatMap { session in session.id.map { InboxCursor(startedAt: session.startedAt, id: $0).text } } : nil
        let summaries = try await SessionSummary.make(page, reader: me, presence: req.chat.presence, on: req.db)
        let response = Response(status: .ok)
        try response.content.encode(Page(message: "Chat sessions fetched successfully", data: summaries, next_cursor: next), as: .json)
        return response
    }

    @Sendable
    func assign(req: Request) async throws -> Response {
        let (session, caller) = try await target(req)
        let fields = try JSONFields(req.body.data.map { Data(buffer: $0) })
        let agentID: UUID
        if let given = try fields.uuid("agent_id") {
            agentID = given
        } else if let me = caller.subject {
            agentID = me  // no agent_id: the caller takes the chat
        } else {
            throw ChatError.invalid("agent_id", "This field is required.")
        }
        let agent = try await assignment(req).assign(session, to: agentID, by: caller)
        return try await summary(of: session, req: req, message: "Chat session assigned to \(agent.name)")
    }

    @Sendable
    func transfer(req: Request) async throws -> Response {
        let (session, caller) = try await target(req)
        let fields = try JSONFields(req.body.data.map { Data(buffer: $0) })
        guard let department = try fields.uuid("department") else { throw ChatError.invalid("department", "This field is required.") }
        let moved = try await assignment(req).transfer(session, to: department, by: caller)
        return try await summary(of: session, req: req, message: "Chat session transferred to \(moved.name)")
    }

    private func target(_ req: Request) async throws -> (ChatSession, Identity) {
        let id = try SessionAccess.id(req.parameters.get("session"))
        let caller = try await req.requireIdentity()
        if case .visitor = caller { throw ChatError.forbidden }
        let session = try await SessionAccess.load(id, on: req.db)
        try SessionAccess.require(caller, on: session)
        return (session, caller)
    }

    private func assignment(_ req: Request) -> Assignment {
        Assignment(db: req.db, writer: req.chat.writer, presence: req.chat.presence)
    }

    private func summary(of session: ChatSession, req: Request, message: String) async throws -> Response {
        let fresh = try await SessionAccess.load(try session.requireID(), on: req.db)
        let summary = try await SessionSummary.make([fresh], reader: try await req.requireIdentity().subject, presence: req.chat.presence, on: req.db)
        return try Envelope(message: message, data: summary[0]).response()
    }
}

/// An opaque position in the inbox (newest first): the last session's start time and id.
struct InboxCursor {
    let startedAt: Date
    let id: UUID

    init(startedAt: Date, id: UUID) {
        self.startedAt = startedAt
        self.id = id
    }

    init?(_ text: String) {
        guard let data = Base64URL.decode(Substring(text)), let raw = String(data: data, encoding: .utf8) else { return nil }
        let parts = raw.split(separator: "|")
        guard parts.count == 2, let millis = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else { return nil }
        self.startedAt = Date(timeIntervalSince1970: Double(millis) / 1000)
        self.id = id
    }

    var text: String {
        let raw = "\(Int64((startedAt.timeIntervalSince1970 * 1000).rounded()))|\(id.uuidString)"
        return Data(raw.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
