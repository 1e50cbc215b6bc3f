import ChatDomain
import ChatRealtime
import Vapor

/// The platform admin's API: businesses, their keys, departments and agents; a business's own admins manage its departments and agents here too.
package struct AdminController: RouteCollection {
    struct BusinessPayload: Content {
        let id: String
        let name: String
        let identity_secret: String?
        let allowed_origins: [String]
        let allow_unverified_customer_ids: Bool
        let auto_assign: Bool
        let created_at: String

        init(_ business: Business, withSecret: Bool) {
            id = business.id.lowercasedText
            name = business.name
            identity_secret = withSecret ? business.identitySecret : nil
            allowed_origins = business.allowedOrigins
            allow_unverified_customer_ids = business.allowUnverifiedCustomerIDs
            auto_assign = business.autoAssign
            created_at = WireTime.iso(business.createdAt)
        }
    }

    struct DepartmentPayload: Content {
        let id: String
        let business: String
        let name: String
        let created_at: String

        init(_ department: Department) {
            id = department.id.lowercasedText
            business = department.businessID.lowercasedText
            name = department.name
            created_at = WireTime.iso(department.createdAt)
        }
    }

    struct AgentPayload: Content {
        let id: String
        let business: String
        let email: String?
        let name: String
        let department: String?
        let active: Bool
        let is_admin: Bool
        let created_at: String

        init(_ agent: Agent) {
            id = agent.id.lowercasedText
            business = agent.businessID.lowercasedText
            email = agent.email
            name = agent.name
            department = agent.departmentID?.lowercasedText
            active = agent.active
            is_admin = agent.isAdmin
            created_at = WireTime.iso(agent.createdAt)
        }

        /// `email` and `department` are written as null when absent, as documented.
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(business, forKey: .business)
            try c.encode(email, forKey: .email)
            try c.encode(name, forKey: .name)
            try c.encode(department, forKey: .department)
            try c.encode(active, forKey: .active)
            try c.encode(is_admin, forKey: .is_admin)
            try c.encode(created_at, forKey: .created_at)
        }
    }

    struct KeyPayload: Content {
        let kid: String
        let business: String
        let algorithm: String
        /// The HS256 secret, at creation only.
        let secret: String?
        let created_at: String

        init(_ key: BusinessKey, withSecret: Bool) {
            kid = key.kid
            business = key.businessID.lowercasedText
            algorithm = key.algorithm
            if withSecret, case .hs256(let value) = key.material { secret = value } else { secret = nil }
            created_at = WireTime.iso(key.createdAt)
        }
    }

    package init() {}

    package func boot(routes: any RoutesBuilder) throws {
        let admin = routes.grouped("admin", "businesses")
        admin.post(use: createBusiness)
        admin.get(use: listBusinesses)
        admin.post(":business", "departments", use: createDepartment)
        admin.get(":business", "departments", use: listDepartments)
        admin.post(":business", "agents", use: createAgent)
        admin.get(":business", "agents", use: listAgents)
        admin.patch(":business", "agents", ":agent", use: updateAgent)
        admin.post(":business", "keys", use: createKey)
        admin.get(":business", "keys", use: listKeys)
        admin.delete(":business", "keys", ":kid", use: revokeKey)
    }

    /// The path's business, for the platform admin or that business's admins (another business: 404).
    private func managedBusiness(_ req: Request) async throws -> UUID {
        try await req.chat.businessSettings.managedBusiness(by: try await req.requireIdentity(), requested: try businessID(req)).id
    }

    private func businessID(_ req: Request) throws -> UUID {
        guard let raw = req.parameters.get("business"), let id = UUID(text: raw) else { throw ChatError.businessNotFound }
        return id
    }

    @Sendable
    func createBusiness(req: Request) async throws -> Response {
        try await req.requireAdmin()
        let fields = try req.jsonFields()
        let origins = try fields.stringList("allowed_origins") ?? []
        let business = try await req.chat.team.createBusiness(
            name: try fields.requiredString("name"), allowedOrigins: origins,
            allowUnverifiedCustomerIDs: try fields.bool("allow_unverified_customer_ids") ?? false,
            autoAssign: try fields.bool("auto_assign") ?? false)
        return try Envelope(message: "Business created successfully", data: BusinessPayload(business, withSecret: true)).response(status: .created)
    }

    @Sendable
    func listBusinesses(req: Request) async throws -> Response {
        try await req.requireAdmin()
        let all = try await req.chat.team.businesses()
        return try Envelope(message: "Businesses fetched successfully", data: all.map { BusinessPayload($0, withSecret: false) }).response()
    }

    @Sendable
    func createDepartment(req: Request) async throws -> Response {
        let business = try await managedBusiness(req)
        let fields = try req.jsonFields()
        let department = try await req.chat.team.createDepartment(business: business, name: fields.requiredString("name"))
        return try Envelope(message: "Department created successfully", data: DepartmentPayload(department)).response(status: .created)
    }

    @Sendable
    func listDepartments(req: Request) async throws -> Response {
        let business = try await managedBusiness(req)
        let all = try await req.chat.team.departments(of: business)
        return try Envelope(message: "Departments fetched successfully", data: all.map(DepartmentPayload.init)).response()
    }

    @Sendable
    func createAgent(req: Request) async throws -> Response {
        let business = try await managedBusiness(req)
        let fields = try req.jsonFields()
        let email = try fields.requiredString("email")
        let password = try fields.requiredString("password", maxLength: 72)
        let name = try fields.requiredString("name")
        let agent = try await req.chat.team.createAgent(
            business: business, email: email, password: password, name: name, department: try fields.uuid("department"),
            isAdmin: try fields.bool("is_admin") ?? false)
        return try Envelope(message: "Agent created successfully", data: AgentPayload(agent)).response(status: .created)
    }

    @Sendable
    func listAgents(req: Request) async throws -> Response {
        let business = try await managedBusiness(req)
        let all = try await req.chat.team.agents(of: business)
        return try Envelope(message: "Agents fetched successfully", data: all.map(AgentPayload.init)).response()
    }

    /// `{"active": false}` deactivates the agent: refused at once everywhere, its sockets closed
    /// with 4003 on every node; `{"active": true}` lets it sign in again. `is_admin` makes it a
    /// business admin or not. Either field, or both.
    @Sendable
    func updateAgent(req: Request) async throws -> Response {
        let business = try await managedBusiness(req)
        let fields = try req.jsonFields()
        guard let raw = req.parameters.get("agent"), let id = UUID(text: raw) else { throw ChatError.agentNotFound }
        let active = try fields.bool("active")
        let isAdmin = try fields.bool("is_admin")
        guard active != nil || isAdmin != nil else { throw ChatError.invalid("active", "This field is required.") }
        try SettingsService.refuseLockout(by: try await req.requireIdentity(), of: id, active: active, isAdmin: isAdmin)
        var agent = try await req.chat.team.agent(id, of: business)
        if let isAdmin { agent = try await req.chat.team.setAgentAdmin(id, of: agent.businessID, isAdmin: isAdmin) }
        if let active {
            agent = try await req.chat.team.setAgentActive(id, of: agent.businessID, active: active)
            if !active { req.realtime.closeSockets(.agent(agent.id)) }
        }
        return try Envelope(message: "Agent updated successfully", data: AgentPayload(agent)).response()
    }

    @Sendable
    func createKey(req: Request) async throws -> Response {
        try await req.requireAdmin()
        let fields = try req.jsonFields()
        var jwk: String?
        switch fields.values["jwk"] {
        case nil, .null?:
            break
        case .object(let members)?:
            // The object already read, written again (never the body parsed a second time: with a
            // repeated key another parser could see another value there).
            guard let data = try? JSONEncoder().encode(members) else { throw ChatError.malformedJSON }
            jwk = String(decoding: data, as: UTF8.self)
        default:
            throw ChatError.invalid("jwk", "Must be a JSON object (a public JWK).")
        }
        let key = try await req.chat.keys.createKey(for: businessID(req), jwk: jwk)
        return try Envelope(message: "Key created successfully", data: KeyPayload(key, withSecret: true)).response(status: .created)
    }

    @Sendable
    func listKeys(req: Request) async throws -> Response {
        try await req.requireAdmin()
        let keys = try await req.chat.keys.keys(of: businessID(req))
        return try Envelope(message: "Keys fetched successfully", data: keys.map { KeyPayload($0, withSecret: false) }).response()
    }

    /// Revokes the key: tokens signed with it are refused from now on, and this node's sockets
    /// opened with one are closed with 4003.
    @Sendable
    func revokeKey(req: Request) async throws -> Response {
        try await req.requireAdmin()
        guard let kid = req.parameters.get("kid"), !kid.isEmpty else { throw ChatError.keyNotFound }
        try await req.chat.keys.revokeKey(kid, of: businessID(req))
        req.realtime.closeSockets(.key(id: kid))
        return try Envelope(message: "Key revoked successfully", data: ["kid": kid]).response()
    }
}
