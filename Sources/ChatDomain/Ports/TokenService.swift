import Foundation

/// Issues and checks the tokens (the `ChatTokens` target implements it with JWTs).
package protocol TokenService: Sendable {
    /// The claims of a valid token, or nil.
    func verify(_ token: String) async -> TokenClaims?
    func mint(role: Role, subject: UUID, business: UUID?, lifetime: TimeInterval) async throws -> String
    /// The customer id a merchant's backend proved with a token signed with `identitySecret`, or nil.
    func verifyCustomerToken(_ token: String, identitySecret: String) async -> String?
}

/// What a valid token says.
package struct TokenClaims: Sendable, Equatable {
    package let subject: String
    package let role: Role
    package let business: UUID?

    package init(subject: String, role: Role, business: UUID?) {
        self.subject = subject
        self.role = role
        self.business = business
    }
}

/// Hashes and checks agents' passwords (Bcrypt, off the event loops).
package protocol PasswordHasher: Sendable {
    func hash(_ password: String) async throws -> String
    func verify(_ password: String, against hash: String) async -> Bool
}
