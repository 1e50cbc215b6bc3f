import Foundation

/// `POST /auth/login/`: an agent's email and password → a token. A wrong email and a wrong
/// password get the same answer in the same time; repeated failures for an email or from an
/// address are refused for a while.
extension Chat {
    package func login(email rawEmail: String, password: String, from address: String) async throws -> (agent: Agent, token: String) {
        let email = rawEmail.lowercased()
        let keys = ["email:" + email, "ip:" + address]
        if let wait = await logins.retryAfter(keys: keys) { throw ChatError.tooManyAttempts(retryAfter: wait) }
        let agent = try await store.agent(email: email)
        let hash: String
        if let stored = agent?.passwordHash {
            hash = stored
        } else {
            hash = try await logins.decoyHash(hasher)
        }
        let matches = await hasher.verify(password, against: hash)
        guard let agent, agent.passwordHash != nil, matches else {
            await logins.failed(keys: keys)
            throw ChatError.invalidCredentials
        }
        await logins.succeeded(key: keys[0])
        let token = try await tokens.mint(role: .agent, subject: agent.id, business: agent.businessID, lifetime: settings.agentTokenLifetime)
        return (agent, token)
    }
}
