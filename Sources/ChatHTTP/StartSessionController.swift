import ChatDomain
import ChatRealtime
import Vapor

/// `POST /chat/start-session/` (public).
package struct StartSessionController: RouteCollection {
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

    package init() {}

    package func boot(routes: any RoutesBuilder) throws {
        routes.post("chat", "start-session", use: start)
    }

    @Sendable
    func start(req: Request) async throws -> Response {
        let fields = try req.jsonFields()
        guard let business = try fields.uuid("business") else {
            throw ChatError.invalid("business", "This field is required.")
        }
        let external = try fields.string("external_customer_id")
        if let external, external.isEmpty {
            throw ChatError.invalid("external_customer_id", "Ensure this field has at least 1 character.")
        }
        let caller = try await req.optionalIdentity()
        // New sessions per client address: a visitor of this business coming back is not counted.
        if case .visitor(_, business)? = caller {} else {
            try req.realtime.take(req.realtime.startSessions, named: "start_session", for: req.clientAddress)
        }
        let started = try await req.chat.sessions.startSession(.init(
            business: business,
            department: try fields.uuid("department"),
            externalCustomerID: external,
            customerToken: try fields.string("customer_token", maxLength: 8192),
            caller: caller,
            origin: req.headers.first(name: .origin),
            profile: VisitorProfile.Answers(rawName: try fields.string("name", maxLength: 1000),
                                            rawEmail: try fields.string("email", maxLength: 1000))))
        let session = started.session
        if started.created { req.realtime.metrics.session(started: true) }
        let payload = Payload(
            sessionID: session.id.lowercasedText,
            active: session.isActive,
            visitorID: started.visitor.lowercasedText,
            token: started.token,
            business: business.lowercasedText,
            department: session.departmentID?.lowercasedText,
            startedAt: WireTime.iso(session.startedAt))
        return try Envelope(message: "Chat session started successfully", data: payload)
            .response(status: started.created ? .created : .ok)
    }
}
