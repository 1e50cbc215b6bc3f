import Foundation

/// Turns a bearer token into an `Identity`: verifies it, checks the business exists, and
/// provisions an agent seen for the first time through a valid token of that business.
extension Chat {
    /// The caller of `token`; `ChatError.unauthenticated` when it proves nothing.
    package func identity(for token: String) async throws -> Identity {
        guard token.utf8.count <= 8192, let claims = await tokens.verify(token) else { throw ChatError.unauthenticated }
        return try await identity(for: claims)
    }

    /// The identity of already verified claims (provisioning the agent on first sight).
    package func identity(for claims: TokenClaims) async throws -> Identity {
        guard let subject = UUID(uuidString: claims.subject) else { throw ChatError.unauthenticated }
        switch claims.role {
        case .admin:
            return .admin
        case .visitor:
            guard let business = claims.business else { throw ChatError.unauthenticated }
            return .visitor(id: subject, business: business)
        case .agent:
            guard let business = claims.business else { throw ChatError.unauthenticated }
            try await provisionAgent(subject, of: business)
            return .agent(id: subject, business: business)
        }
    }

    private func provisionAgent(_ id: UUID, of business: UUID) async throws {
        if let agent = try await store.agent(id) {
            guard agent.businessID == business else { throw ChatError.unauthenticated }
            return
        }
        guard try await store.business(business) != nil else { throw ChatError.unauthenticated }
        do {
            try await store.insert(Agent(id: id, businessID: business, email: nil, passwordHash: nil, name: "Agent"))
        } catch {
            // Two first requests at once: the other one created it.
            guard let existing = try await store.agent(id), existing.businessID == business else { throw error }
        }
    }
}
