import Foundation

/// Issues and checks the tokens (the `ChatTokens` target implements it with JWTs).
package protocol TokenService: Sendable {
    /// What a token is: valid (the server's own, or a configured JWKS file's), signed by a
    /// business's key (`kid`), or invalid. The header is read once, here.
    func verify(_ token: String) async -> TokenVerdict
    /// A token of the server's secret; `tokenID` is its `jti` (login tokens carry one, so that
    /// `POST /auth/logout/` can revoke them).
    func mint(role: Role, subject: UUID, business: UUID?, lifetime: TimeInterval, tokenID: String?) async throws -> String
    /// The claims of a valid token signed with the business key `key` (its algorithm and `kid`), or nil.
    func verify(_ token: String, with key: BusinessKey) async -> TokenClaims?
    /// A public RS256 / ES256 JWK (JSON) made into the key `kid`, with its algorithm; nil when
    /// `json` is not such a key (or holds private parameters).
    func publicKey(fromJWK json: String, kid: String) async -> (json: String, algorithm: String)?
    /// The customer id a merchant's backend proved with a token signed with `identitySecret`, or nil.
    func verifyCustomerToken(_ token: String, identitySecret: String) async -> String?
}

extension TokenService {
    package func mint(role: Role, subject: UUID, business: UUID?, lifetime: TimeInterval) async throws -> String {
        try await mint(role: role, subject: subject, business: business, lifetime: lifetime, tokenID: nil)
    }
}

/// What checking a token found.
package enum TokenVerdict: Sendable, Equatable {
    case valid(TokenClaims)
    /// It names the business key `kid`: valid only if that key, in force, verifies it.
    case businessKey(kid: String)
    case invalid
}

/// What a valid token says.
package struct TokenClaims: Sendable, Equatable {
    package let subject: String
    package let role: Role
    package let business: UUID?
    /// The business key that signed it (`kid`); nil for the server's own tokens and a JWKS file's.
    package let keyID: String?
    /// When it expires: a socket opened with it is closed then (4003).
    package let expiresAt: Date
    /// Its `jti`, when it has one: a token that can be revoked (`POST /auth/logout/`).
    package let tokenID: String?

    package init(subject: String, role: Role, business: UUID?, keyID: String? = nil, expiresAt: Date, tokenID: String? = nil) {
        self.subject = subject
        self.role = role
        self.business = business
        self.keyID = keyID
        self.expiresAt = expiresAt
        self.tokenID = tokenID
    }

    /// The same claims, signed by the business key `kid`.
    package func signed(by kid: String) -> TokenClaims {
        TokenClaims(subject: subject, role: role, business: business, keyID: kid, expiresAt: expiresAt, tokenID: tokenID)
    }
}

/// Hashes and checks agents' passwords (Bcrypt, off the event loops).
package protocol PasswordHasher: Sendable {
    func hash(_ password: String) async throws -> String
    func verify(_ password: String, against hash: String) async -> Bool
}
