import Fluent
import Vapor

/// What an agent needs to hand a chat over: `GET /chat/agents/` (with presence) and
/// `GET /chat/departments/` of the caller's business.
struct TeamController: RouteCollection {
    struct AgentEntry: Content {
        let id: String
        let name: String
        let email: String?
        let department: String?
        let online: Bool
    }

    struct DepartmentEntry: Content {
        let id: String
        let name: String
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("chat", "agents", use: agents)
        routes.get("chat", "departments", use: departments)
    }

    private func business(_ req: Request) async throws -> UUID {
        guard case .agent(_, let business) = try await req.requireIdentity() else { throw ChatError.forbidden }
        return business
    }

    @Sendable
    func agents(req: Request) async throws -> Response {
        let business = try await business(req)
        let all = try await Agent.query(on: req.db).filter(\.$businessID == business).sort(\.$name).all()
        var entries: [AgentEntry] = []
        for agent in all {
            guard let id = agent.id else { continue }
            entries.append(AgentEntry(
                id: id.lowercasedText, name: agent.name, email: agent.email,
                department: agent.departmentID?.lowercasedText, online: await req.chat.presence.isOnline(id)))
        }
        return try Envelope(message: "Agents fetched successfully", data: entries).response()
    }

    @Sendable
    func departments(req: Request) async throws -> Response {
        let business = try await business(req)
        let all = try await Department.query(on: req.db).filter(\.$businessID == business).sort(\.$name).all()
        let entries = all.map { DepartmentEntry(id: $0.id?.lowercasedText ?? "", name: $0.name) }
        return try Envelope(message: "Departments fetched successfully", data: entries).response()
    }
}
