import Foundation

/// `POST /auth/login/`: an agent's email and password → a token. A wrong email and a wrong
/// password get the same answer in the same time; repeated failures for an email or from an
/// address are refused for a while. Each login token has a `jti` of its own, for `logout`.
extension AccessService {
    package func login(email rawEmail: String, password: String, from address: String) async throws -> (agent: Agent, token: String) {
        let email = rawEmail.lowercased()
        let keys = ["email:" + email, "ip:" + address]
        if let wait = try await logins.retryAfter(keys: keys, in: loginFailureStore) { throw ChatError.tooManyAttempts(retryAfter: wait) }
        let agent = try await directoryStore.agent(email: email)
        let hash: String
        if let stored = agent?.passwordHash {
            hash = stored
        } else {
            hash = try await logins.decoyHash(hasher)
        }
        let matches = await hasher.verify(password, against: hash)
        guard let agent, agent.passwordHash != nil, matches else {
            try await loginFailureStore.recordFailure(keys: keys, at: Date(), forgettingBefore: Date().addingTimeInterval(-LoginThrottle.window))
            throw ChatError.invalidCredentials
        }
        try await loginFailureStore.clearFailures(key: keys[0])
        guard agent.active else { throw ChatError.agentDeactivated }
        let token = try await tokens.mint(role: .agent, subject: agent.id, business: agent.businessID, lifetime: settings.agentTokenLifetime,
                                          tokenID: UUID().lowercasedText)
        return (agent, token)
    }

    /// Revokes the caller's token (`POST /auth/logout/`) until it expires. Only a token with a
    /// `jti` can be revoked (login tokens have one).
    package func logout(_ claims: TokenClaims) async throws {
        guard claims.role == .agent else { throw ChatError.forbidden }
        guard let tokenID = claims.tokenID else { throw ChatError.tokenNotRevocable }
        try await directoryStore.revokeToken(tokenID, until: claims.expiresAt)
    }
}
