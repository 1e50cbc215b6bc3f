import Foundation

/// The demo business, department and agent created on first start, so a newcomer has a chat to try.
package struct Demo: Sendable {
    package static let businessName = "Demo Shop"
    package static let agentEmail = "agent@demo.livechat"
    package static let agentPassword = "demo-password"

    package let business: UUID
    package let department: UUID?
    package let agent: UUID
}

extension TeamService {
    /// The demo, created where missing.
    package func ensureDemo() async throws -> Demo {
        let business: Business
        if let found = try await directoryStore.business(named: Demo.businessName) {
            business = found
        } else {
            business = try await createBusiness(name: Demo.businessName, allowedOrigins: [], allowUnverifiedCustomerIDs: false)
        }
        let department: Department
        if let found = try await directoryStore.departments(of: business.id).first {
            department = found
        } else {
            department = try await createDepartment(business: business.id, name: "Support")
        }
        let agent: Agent
        // The demo agent is the business's admin (a data folder of an older version gets it made one).
        if let existing = try await directoryStore.agent(email: Demo.agentEmail) {
            agent = existing.isAdmin ? existing : try await setAgentAdmin(existing.id, of: existing.businessID, isAdmin: true)
        } else {
            agent = try await createAgent(business: business.id, email: Demo.agentEmail, password: Demo.agentPassword, name: "Demo Agent",
                                          isAdmin: true)
        }
        return Demo(business: business.id, department: department.id, agent: agent.id)
    }

    /// The demo business and its first department, if the demo exists.
    package func existingDemo() async throws -> (business: UUID, department: UUID?)? {
        guard let business = try await directoryStore.business(named: Demo.businessName) else { return nil }
        return (business.id, try await directoryStore.departments(of: business.id).first?.id)
    }
}
