import Fluent
import Vapor

/// `POST /auth/login/`: an agent's email and password → a token and the agent's profile.
/// A wrong email and a wrong password get the same answer in the same time; repeated failures
/// for an email or from an address are refused with 429 for a while.
struct AuthController: RouteCollection {
    struct AgentProfile: Content {
        let id: String
        let name: String
        let email: String?
        let business: String
        let department: String?

        init(_ agent: Agent) {
            id = agent.id?.lowercasedText ?? ""
            name = agent.name
            email = agent.email
            business = agent.businessID.lowercasedText
            department = agent.departmentID?.lowercasedText
        }
    }

    struct Payload: Content {
        let token: String
        let agent: AgentProfile
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.post("auth", "login", use: login)
    }

    @Sendable
    func login(req: Request) async throws -> Response {
        let fields = try JSONFields(req.body.data.map { Data(buffer: $0) })
        let email = try fields.requiredString("email").lowercased()
        let password = try fields.requiredString("password", maxLength: 72)
        let keys = ["email:" + email, "ip:" + (req.remoteAddress?.ipAddress ?? "unknown")]
        if let wait = await req.chat.logins.retryAfter(keys: keys) {
            let response = ErrorEnvelopeMiddleware.response(
                for: ChatError(.tooManyRequests, "Too many failed logins. Try again in \(wait) seconds."), request: req)
            response.headers.replaceOrAdd(name: .retryAfter, value: "\(wait)")
            return response
        }
        let agent = try await Agent.query(on: req.db).filter(\.$email == email).first()
        let hash: String
        if let stored = agent?.passwordHash {
            hash = stored
        } else {
            hash = try await req.chat.logins.decoyHash()
        }
        let matches = try await req.application.threadPool.runIfActive { (try? Bcrypt.verify(password, created: hash)) ?? false }
        guard let agent, agent.passwordHash != nil, matches else {
            await req.chat.logins.failed(keys: keys)
            throw ChatError(.unauthorized, "Invalid email or password.")
        }
        await req.chat.logins.succeeded(key: keys[0])
        let token = try await req.chat.tokens.mint(
            role: .agent, subject: try agent.requireID(), business: agent.businessID,
            lifetime: TimeInterval(req.chat.config.agentTokenTTL))
        return try Envelope(message: "Login successful", data: Payload(token: token, agent: AgentProfile(agent))).response()
    }
}
