import Fluent
import Vapor

/// Creating and listing businesses, departments and agents (admin API and CLI share it).
struct Directory: Sendable {
    let db: any Database

    func createBusiness(name: String, allowedOrigins: [String], allowUnverifiedCustomerIDs: Bool, autoAssign: Bool = false) async throws -> Business {
        let business = Business(
            name: name, identitySecret: RandomToken.hex(bytes: 32),
            allowedOrigins: allowedOrigins, allowUnverifiedCustomerIDs: allowUnverifiedCustomerIDs)
        business.autoAssign = autoAssign
        try await business.create(on: db)
        return business
    }

    func business(_ id: UUID) async throws -> Business {
        guard let business = try await Business.find(id, on: db) else { throw ChatError.businessNotFound }
        return business
    }

    func createDepartment(business: UUID, name: String) async throws -> Department {
        _ = try await self.business(business)
        let department = Department(businessID: business, name: name)
        try await department.create(on: db)
        return department
    }

    func createAgent(business: UUID, email: String, passwordHash: String, name: String, department: UUID? = nil) async throws -> Agent {
        _ = try await self.business(business)
        if let department {
            guard let found = try await Department.find(department, on: db), found.businessID == business else {
                throw ChatError(.notFound, "Department not found.", fields: ["department": ["Unknown department for this business."]])
            }
        }
        let normalized = email.lowercased()
        if try await Agent.query(on: db).filter(\.$email == normalized).first() != nil {
            throw ChatError(.conflict, "An agent with this email already exists.", fields: ["email": ["Already in use."]])
        }
        let agent = Agent(businessID: business, email: normalized, passwordHash: passwordHash, name: name)
        agent.departmentID = department
        do {
            try await agent.create(on: db)
        } catch {
            if try await Agent.query(on: db).filter(\.$email == normalized).first() != nil {
                throw ChatError(.conflict, "An agent with this email already exists.", fields: ["email": ["Already in use."]])
            }
            throw error
        }
        return agent
    }
}
