import Foundation

/// A business's own signing keys, managed by the platform admin: created (an HS256 secret shown
/// once, or a public JWK), listed without secrets, revoked at once.
package struct KeyService: Sendable {
    let directoryStore: any DirectoryStore
    let keyStore: any BusinessKeyStore
    let tokens: any TokenService

    /// A new key of `business`; `jwk` (a JSON object) registers a public key instead of
    /// generating a secret (which the API shows at creation only).
    package func createKey(for business: UUID, jwk: String?) async throws -> BusinessKey {
        guard try await directoryStore.business(business) != nil else { throw ChatError.businessNotFound }
        let kid = "bk_" + RandomToken.hex(bytes: 12)
        let material: BusinessKey.Material
        if let jwk {
            guard let key = await tokens.publicKey(fromJWK: jwk, kid: kid) else {
                throw ChatError.invalid(field: "jwk", problem: "Not an RS256 or ES256 public key (a JWK object: kty RSA with n and e, or kty EC on P-256 with x and y; no private parameters).")
            }
            material = .publicJWK(json: key.json, algorithm: key.algorithm)
        } else {
            material = .hs256(secret: RandomToken.hex(bytes: 32))
        }
        let key = BusinessKey(kid: kid, businessID: business, material: material)
        try await keyStore.insert(key)
        return key
    }

    /// The business's keys in force, oldest first.
    package func keys(of business: UUID) async throws -> [BusinessKey] {
        guard try await directoryStore.business(business) != nil else { throw ChatError.businessNotFound }
        return try await keyStore.keys(of: business)
    }

    /// Revokes a key of `business`: tokens signed with it are refused from now on, on every node
    /// (each check reads the key). Throws `keyNotFound` for an unknown, revoked or other business's key.
    package func revokeKey(_ kid: String, of business: UUID) async throws {
        guard try await keyStore.revokeKey(kid, of: business, at: WireTime.now()) else { throw ChatError.keyNotFound }
    }
}
