import ChatDomain
import ChatRealtime
import Vapor

/// `POST /auth/login/`: an agent's email and password → a token and the agent's profile
/// (the rules, throttle included, are the domain's `Login.swift`).
package struct AuthController: RouteCollection {
    struct AgentProfile: Content {
        let id: String
        let name: String
        let email: String?
        let business: String
        let department: String?
        let is_admin: Bool

        init(_ agent: Agent) {
            is_admin = agent.isAdmin
            id = agent.id.lowercasedText
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

    package init() {}

    package func boot(routes: any RoutesBuilder) throws {
        routes.post("auth", "login", use: login)
        routes.post("auth", "logout", use: logout)
    }

    @Sendable
    func login(req: Request) async throws -> Response {
        let address = req.clientAddress
        try req.realtime.take(req.realtime.logins, named: "login", for: address)
        let fields = try req.jsonFields()
        let email = try fields.requiredString("email")
        let password = try fields.requiredString("password", maxLength: 72)
        let (agent, token) = try await req.chat.access.login(email: email, password: password, from: address)
        return try Envelope(message: "Login successful", data: Payload(token: token, agent: AgentProfile(agent))).response()
    }

    /// Revokes the caller's login token until it expires; its sockets are closed with 4003 on every node.
    @Sendable
    func logout(req: Request) async throws -> Response {
        guard let token = req.bearerToken, let claims = await req.chat.access.claims(of: token) else { throw ChatError.unauthenticated }
        _ = try await req.chat.access.identity(for: claims)
        try await req.chat.access.logout(claims)
        if let id = claims.tokenID { req.realtime.closeSockets(.token(id: id)) }
        return try Envelope(message: "Logout successful", data: [String: String]()).response()
    }
}
