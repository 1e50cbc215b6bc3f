import Foundation

/// Turns a bearer token into an `Identity`: verifies it, checks the business exists, and
/// provisions an agent seen for the first time through a valid token of that business.
package struct AccessService: Sendable {
    let directoryStore: any DirectoryStore
    let keyStore: any BusinessKeyStore
    let loginFailureStore: any LoginFailureStore
    let tokens: any TokenService
    let hasher: any PasswordHasher
    let logins: LoginThrottle
    let settings: ChatSettings

    /// A token signed with the server's secret (the commands and the demo's banner print them).
    package func mint(role: Role, subject: UUID, business: UUID?, lifetime: TimeInterval) async throws -> String {
        try await tokens.mint(role: role, subject: subject, business: business, lifetime: lifetime)
    }

    /// The caller of `token`; `ChatError.unauthenticated` when it proves nothing.
    package func identity(for token: String) async throws -> Identity {
        guard let claims = await claims(of: token) else { throw ChatError.unauthenticated }
        return try await identity(for: claims)
    }

    /// What a valid token says, nil otherwise. A token naming a business's key (`kid`) is checked
    /// against that key, in force, and speaks only for an agent of that business; any other is
    /// the server's own (or a configured JWKS file's).
    package func claims(of token: String) async -> TokenClaims? {
        guard token.utf8.count <= 8192 else { return nil }
        switch await tokens.verify(token) {
        case .valid(let claims):
            return claims
        case .businessKey(let kid):
            guard let key = try? await keyStore.key(kid), key.revokedAt == nil, let claims = await tokens.verify(token, with: key),
                  claims.role == .agent, claims.business == key.businessID else { return nil }
            return claims
        case .invalid:
            return nil
        }
    }

    /// The identity of already verified claims (provisioning the agent on first sight). A revoked
    /// token (logout), a deactivated agent and an erased visitor are refused. `ofExistingSession`:
    /// the caller has read the session the visitor acts on, which erasure deletes, so the lookup of
    /// an erased visitor is skipped (one query less on each chat socket's handshake).
    package func identity(for claims: TokenClaims, ofExistingSession: Bool = false) async throws -> Identity {
        guard let subject = UUID(text: claims.subject) else { throw ChatError.unauthenticated }
        // A visitor's tokens are refused as a whole once the visitor is erased (`visitor:<id>`).
        var revocable = claims.tokenID.map { [$0] } ?? []
        if claims.role == .visitor, !ofExistingSession { revocable.append(PrivacyService.erasedVisitorKey(subject)) }
        if !revocable.isEmpty, try await directoryStore.isRevoked(anyOf: revocable) { throw ChatError.unauthenticated }
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
        if let agent = try await directoryStore.agent(id) {
            guard agent.businessID == business, agent.active else { throw ChatError.unauthenticated }
            return
        }
        guard try await directoryStore.business(business) != nil else { throw ChatError.unauthenticated }
        do {
            try await directoryStore.insert(Agent(id: id, businessID: business, email: nil, passwordHash: nil, name: "Agent"))
        } catch {
            // Two first requests at once: the other one created it.
            guard let existing = try await directoryStore.agent(id), existing.businessID == business else { throw error }
        }
    }
}
