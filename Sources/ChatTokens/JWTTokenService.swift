import ChatDomain
import Foundation
import JWTKit

/// Issues and verifies tokens. The server's own are HS256; with a JWKS file, agent tokens signed
/// by a merchant's identity provider (RS256 or ES256) are accepted too. The header's `alg` picks
/// the key set before any signature check: `alg: none`, other HMAC sizes and anything else are
/// refused, and an HS256 header is never checked against a public key.
package struct JWTTokenService: TokenService {
    private let keys: JWTKeyCollection
    private let external: JWTKeyCollection?

    package init(secret: String, jwksFile: String? = nil) async throws {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: Data(secret.utf8)), digestAlgorithm: .sha256)
        self.keys = keys
        if let jwksFile {
            let json = try String(contentsOfFile: jwksFile, encoding: .utf8)
            let external = JWTKeyCollection()
            do {
                try await external.add(jwksJSON: json)
            } catch {
                throw InvalidJWKS(reason: "\(error)")
            }
            self.external = external
        } else {
            self.external = nil
        }
    }

    package func verify(_ token: String) async -> TokenClaims? {
        switch Self.headerAlgorithm(of: token) {
        case "HS256":
            return try? await keys.verify(token, as: JWTClaims.self).claims
        case "RS256", "ES256":
            // A merchant's identity provider speaks for its agents only.
            guard let external, let claims = try? await external.verify(token, as: JWTClaims.self), claims.role == .agent else { return nil }
            return claims.claims
        default:
            return nil
        }
    }

    package func mint(role: Role, subject: UUID, business: UUID?, lifetime: TimeInterval) async throws -> String {
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let claims = JWTClaims(
            sub: SubjectClaim(value: subject.lowercasedText), role: role, business: business,
            exp: ExpirationClaim(value: now.addingTimeInterval(lifetime)), iat: IssuedAtClaim(value: now))
        return try await keys.sign(claims)
    }

    /// Verifies a merchant-signed customer token against the business's identity secret.
    package func verifyCustomerToken(_ token: String, identitySecret: String) async -> String? {
        guard Self.headerAlgorithm(of: token) == "HS256" else { return nil }
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: Data(identitySecret.utf8)), digestAlgorithm: .sha256)
        return try? await keys.verify(token, as: CustomerClaims.self).sub.value
    }

    /// The `alg` of a compact JWT's header, or nil when the header is not a JSON object.
    static func headerAlgorithm(of token: String) -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Base64URL.decode(parts[0]),
              let object = try? JSONSerialization.jsonObject(with: header) as? [String: Any]
        else { return nil }
        return object["alg"] as? String
    }
}

/// `LIVECHAT_JWKS_FILE` does not hold a JWKS document.
package struct InvalidJWKS: Error, CustomStringConvertible {
    let reason: String
    package var description: String { "LIVECHAT_JWKS_FILE is not a valid JWKS document: \(reason)" }
}
