import Vapor

/// `POST /chat/start-session/` (public).
struct StartSessionController: RouteCollection {
    struct Payload: Content {
        let sessionID: String
        let active: Bool
        let visitorID: String
        let token: String
        let business: String
        let department: String?
        let startedAt: String

        enum CodingKeys: String, CodingKey {
            case active, token, business, department
            case sessionID = "session_id"
            case visitorID = "visitor_id"
            case startedAt = "started_at"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(sessionID, forKey: .sessionID)
            try c.encode(active, forKey: .active)
            try c.encode(visitorID, forKey: .visitorID)
            try c.encode(token, forKey: .token)
            try c.encode(business, forKey: .business)
            try c.encode(department, forKey: .department)
            try c.encode(startedAt, forKey: .startedAt)
        }
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.post("chat", "start-session", use: start)
    }

    @Sendable
    func start(req: Request) async throws -> Response {
        let fields = try JSONFields(req.body.data.map { Data(buffer: $0) })
        guard let business = try fields.uuid("business") else {
            throw ChatError.invalid("business", "This field is required.")
        }
        let external = try fields.string("external_customer_id")
        if let external, external.isEmpty {
            throw ChatError.invalid("external_customer_id", "Ensure this field has at least 1 character.")
        }
        var caller: Identity?
        if let token = req.bearerToken {
            do {
                caller = try await req.authenticator.identity(for: token)
            } catch is Authenticator.Failure {
                throw ChatError.unauthenticated
            }
        }
        let result = try await SessionStarter(db: req.db).start(.init(
            business: business,
            department: try fields.uuid("department"),
            externalCustomerID: external,
            customerToken: try fields.string("customer_token", maxLength: 8192),
            caller: caller,
            origin: req.headers.first(name: .origin)))
        let token = try await req.chat.tokens.mint(
            role: .visitor, subject: result.visitor, business: business,
            lifetime: TimeInterval(req.chat.config.visitorTokenTTL))
        let session = result.session
        if result.created { try await announceStart(session, req: req) }
        let payload = Payload(
            sessionID: try session.requireID().lowercasedText,
            active: session.isActive,
            visitorID: result.visitor.lowercasedText,
            token: token,
            business: business.lowercasedText,
            department: session.departmentID?.lowercasedText,
            startedAt: WireTime.iso(session.startedAt))
        return try Envelope(message: "Chat session started successfully", data: payload)
            .response(status: result.created ? .created : .ok)
    }

    struct Started: Encodable {
        let type = "session_started"
        let session_id: String
        let session: SessionSummary
    }

    /// Tells the business feed, and deals the chat to an online agent when the business wants it.
    private func announceStart(_ session: ChatSession, req: Request) async throws {
        let summary = try await SessionSummary.make([session], reader: nil, presence: req.chat.presence, on: req.db)[0]
        try await req.chat.writer.publish(FeedDraft(
            business: session.businessID, type: "session_started", body: Started(session_id: summary.session_id, session: summary)))
        if try await Business.find(session.businessID, on: req.db)?.autoAssign == true {
            try await Assignment(db: req.db, writer: req.chat.writer, presence: req.chat.presence).autoAssign(session)
        }
    }
}
