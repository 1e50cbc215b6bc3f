import Foundation
@testable import ChatDomain

/// `DirectoryStore`: businesses, departments, agents (an email once in the whole server, as the
/// `agents.email` unique index wants) and revoked tokens.
extension InMemoryStore: DirectoryStore {
    func insert(_ business: Business) async throws {
        try withTables { tables in
            guard !tables.businesses.contains(where: { $0.id == business.id }) else { throw FakeStoreError.uniqueViolation("businesses.id") }
            tables.businesses.append(business)
        }
    }

    func business(_ id: UUID) async throws -> Business? {
        reading { $0.businesses.first { $0.id == id } }
    }

    func business(named name: String) async throws -> Business? {
        reading { oldestFirst($0.businesses.filter { $0.name == name }, by: \.createdAt).first }
    }

    func businesses() async throws -> [Business] {
        reading { oldestFirst($0.businesses, by: \.createdAt) }
    }

    /// Writes the settings the real `UPDATE` writes (not the identity secret nor whether
    /// unverified customer ids are allowed).
    func update(_ business: Business) async throws {
        reading { tables in
            guard let index = tables.businesses.firstIndex(where: { $0.id == business.id }) else { return }
            tables.businesses[index].name = business.name
            tables.businesses[index].greeting = business.greeting
            tables.businesses[index].offlineMessage = business.offlineMessage
            tables.businesses[index].prechat = business.prechat
            tables.businesses[index].allowedOrigins = business.allowedOrigins
            tables.businesses[index].autoAssign = business.autoAssign
            tables.businesses[index].retentionDays = business.retentionDays
        }
    }

    func insert(_ department: Department) async throws {
        try withTables { tables in
            guard !tables.departments.contains(where: { $0.id == department.id }) else {
                throw FakeStoreError.uniqueViolation("departments.id")
            }
            try tables.requireBusiness(department.businessID)
            tables.departments.append(department)
        }
    }

    func department(_ id: UUID) async throws -> Department? {
        reading { $0.departments.first { $0.id == id } }
    }

    func departments(of business: UUID) async throws -> [Department] {
        reading { oldestFirst($0.departments.filter { $0.businessID == business }, by: \.createdAt) }
    }

    func insert(_ agent: Agent) async throws {
        try withTables { tables in
            guard !tables.agents.contains(where: { $0.id == agent.id }) else { throw FakeStoreError.uniqueViolation("agents.id") }
            if let email = agent.email, tables.agents.contains(where: { $0.email == email }) {
                throw FakeStoreError.uniqueViolation("agents.email")
            }
            try tables.requireBusiness(agent.businessID)
            tables.agents.append(agent)
        }
    }

    func agent(_ id: UUID) async throws -> Agent? {
        reading { $0.agents.first { $0.id == id } }
    }

    func agent(email: String) async throws -> Agent? {
        reading { $0.agents.first { $0.email == email } }
    }

    func agents(of business: UUID) async throws -> [Agent] {
        reading { oldestFirst($0.agents.filter { $0.businessID == business }, by: \.createdAt) }
    }

    func setActive(agent: UUID, _ active: Bool) async throws {
        reading { tables in
            guard let index = tables.agents.firstIndex(where: { $0.id == agent }) else { return }
            tables.agents[index].active = active
        }
    }

    func setAdmin(agent: UUID, _ isAdmin: Bool) async throws {
        reading { tables in
            guard let index = tables.agents.firstIndex(where: { $0.id == agent }) else { return }
            tables.agents[index].isAdmin = isAdmin
        }
    }

    /// Forgets the revocations past their end, then keeps this one (a jti already kept keeps its end).
    func revokeToken(_ tokenID: String, until expiresAt: Date) async throws {
        let now = Date()
        reading { tables in
            tables.revokedTokens = tables.revokedTokens.filter { $0.value >= now }
            if tables.revokedTokens[tokenID] == nil { tables.revokedTokens[tokenID] = expiresAt }
        }
    }

    /// Any kept revocation counts, past its end or not (the real store only forgets them at the next revocation).
    func isRevoked(anyOf tokenIDs: [String]) async throws -> Bool {
        reading { tables in tokenIDs.contains { tables.revokedTokens[$0] != nil } }
    }
}
