import ChatDomain
import ChatRealtime
import Vapor

/// What an agent needs to hand a chat over: `GET /chat/agents/` (with presence) and
/// `GET /chat/departments/` of the caller's business, by name.
package struct TeamController: RouteCollection {
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

    package init() {}

    package func boot(routes: any RoutesBuilder) throws {
        routes.get("chat", "agents", use: agents)
        routes.get("chat", "departments", use: departments)
    }

    @Sendable
    func agents(req: Request) async throws -> Response {
        let (_, business) = try await req.requireAgent()
        let all = try await req.chat.team.agents(of: business).sorted { $0.name < $1.name }
        let online = await req.chat.presence.online(among: Set(all.map(\.id)))
        let entries = all.map { agent in
            AgentEntry(id: agent.id.lowercasedText, name: agent.name, email: agent.email,
                       department: agent.departmentID?.lowercasedText, online: online.contains(agent.id))
        }
        return try Envelope(message: "Agents fetched successfully", data: entries).response()
    }

    @Sendable
    func departments(req: Request) async throws -> Response {
        let (_, business) = try await req.requireAgent()
        let all = try await req.chat.team.departments(of: business).sorted { $0.name < $1.name }
        let entries = all.map { DepartmentEntry(id: $0.id.lowercasedText, name: $0.name) }
        return try Envelope(message: "Departments fetched successfully", data: entries).response()
    }
}
