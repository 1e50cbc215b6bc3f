import Foundation

/// Creating and listing businesses, departments and agents (the admin API and the commands share it).
package struct TeamService: Sendable {
    let directoryStore: any DirectoryStore
    let hasher: any PasswordHasher

    /// A new business; `allowedOrigins` are checked and stored as `OriginPolicy.validate` writes them.
    package func createBusiness(name: String, allowedOrigins: [String], allowUnverifiedCustomerIDs: Bool,
                                autoAssign: Bool = false) async throws -> Business {
        let business = Business(
            name: name, identitySecret: RandomToken.hex(bytes: 32),
            allowedOrigins: try OriginPolicy.validate(allowedOrigins, field: "allowed_origins"),
            allowUnverifiedCustomerIDs: allowUnverifiedCustomerIDs, autoAssign: autoAssign)
        try await directoryStore.insert(business)
        return business
    }

    package func business(_ id: UUID) async throws -> Business {
        guard let business = try await directoryStore.business(id) else { throw ChatError.businessNotFound }
        return business
    }

    package func createDepartment(business: UUID, name: String) async throws -> Department {
        _ = try await self.business(business)
        let department = Department(businessID: business, name: name)
        try await directoryStore.insert(department)
        return department
    }

    /// An agent of `business`; another business's agent is not found.
    package func agent(_ id: UUID, of business: UUID) async throws -> Agent {
        guard let agent = try await directoryStore.agent(id), agent.businessID == business else { throw ChatError.agentNotFound }
        return agent
    }

    /// Deactivates (or reactivates) an agent of `business`; another business's agent is not found.
    package func setAgentActive(_ id: UUID, of business: UUID, active: Bool) async throws -> Agent {
        guard var agent = try await directoryStore.agent(id), agent.businessID == business else { throw ChatError.agentNotFound }
        try await directoryStore.setActive(agent: id, active)
        agent.active = active
        return agent
    }

    /// An agent who signs in with `email` (a `Mailbox`) and `password` (8 to 72 characters, hashed here).
    package func createAgent(business: UUID, email: String, password: String, name: String, department: UUID? = nil,
                             isAdmin: Bool = false) async throws -> Agent {
        _ = try await self.business(business)
        if let department {
            guard let found = try await directoryStore.department(department), found.businessID == business else { throw ChatError.departmentNotFound }
        }
        guard !name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw ChatError.invalid("name", "This field may not be blank.") }
        guard password.count >= 8 else { throw ChatError.invalid("password", "Ensure this field has at least 8 characters.") }
        guard password.count <= 72 else { throw ChatError.invalid("password", "Ensure this field has no more than 72 characters.") }
        let normalized = try Mailbox.check(email)
        if try await directoryStore.agent(email: normalized) != nil { throw ChatError.emailTaken }
        let agent = Agent(businessID: business, email: normalized, passwordHash: try await hasher.hash(password), name: name,
                          departmentID: department, isAdmin: isAdmin)
        do {
            try await directoryStore.insert(agent)
        } catch {
            if try await directoryStore.agent(email: normalized) != nil { throw ChatError.emailTaken }
            throw error
        }
        return agent
    }

    /// Makes an agent of `business` a business admin, or not.
    package func setAgentAdmin(_ id: UUID, of business: UUID, isAdmin: Bool) async throws -> Agent {
        guard var agent = try await directoryStore.agent(id), agent.businessID == business else { throw ChatError.agentNotFound }
        try await directoryStore.setAdmin(agent: id, isAdmin)
        agent.isAdmin = isAdmin
        return agent
    }

    /// Every business, oldest first.
    package func businesses() async throws -> [Business] {
        try await directoryStore.businesses()
    }

    /// A business's departments, oldest first.
    package func departments(of business: UUID) async throws -> [Department] {
        try await directoryStore.departments(of: business)
    }

    /// A business's agents, oldest first.
    package func agents(of business: UUID) async throws -> [Agent] {
        try await directoryStore.agents(of: business)
    }
}
