import Foundation
import JWT

/// Issues and verifies tokens. The server's own are HS256; with a JWKS file, agent tokens signed
/// by a merchant's identity provider (RS256 or ES256) are accepted too. The header's `alg` picks
/// the key set before any signature check: `alg: none`, other HMAC sizes and anything else are
/// refused, and an HS256 header is never checked against a public key.
struct TokenService: Sendable {
    private let keys: JWTKeyCollection
    private let external: JWTKeyCollection?

    init(secret: String, jwksFile: String? = nil) async throws {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: Data(secret.utf8)), digestAlgorithm: .sha256)
        self.keys = keys
        if let jwksFile {
            let json = try String(contentsOfFile: jwksFile, encoding: .utf8)
            let external = JWTKeyCollection()
            do {
                try await external.add(jwksJSON: json)
            } catch {
                throw ConfigError("LIVECHAT_JWKS_FILE is not a valid JWKS document: \(error)")
            }
            self.external = external
        } else {
            self.external = nil
        }
    }

    func verify(_ token: String) async -> TokenClaims? {
        switch Self.headerAlgorithm(of: token) {
        case "HS256":
            return try? await keys.verify(token, as: TokenClaims.self)
        case "RS256", "ES256":
            // A merchant's identity provider speaks for its agents only.
            guard let external, let claims = try? await external.verify(token, as: TokenClaims.self), claims.role == .agent else { return nil }
            return claims
        default:
            return nil
        }
    }

    func sign(_ claims: TokenClaims) async throws -> String {
        try await keys.sign(claims)
    }

    func mint(role: Role, subject: UUID, business: UUID?, lifetime: TimeInterval) async throws -> String {
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let claims = TokenClaims(
            sub: SubjectClaim(value: subject.lowercasedText), role: role, business: business,
            exp: ExpirationClaim(value: now.addingTimeInterval(lifetime)), iat: IssuedAtClaim(value: now))
        return try await sign(claims)
    }

    /// Verifies a merchant-signed customer token against the business's identity secret.
    static func verifyCustomerToken(_ token: String, identitySecret: String) async -> CustomerClaims? {
        guard headerAlgorithm(of: token) == "HS256" else { return nil }
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: Data(identitySecret.utf8)), digestAlgorithm: .sha256)
        return try? await keys.verify(token, as: CustomerClaims.self)
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

enum Base64URL {
    static func decode(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
