import Foundation
import JWT

/// Issues and verifies the server's HS256 tokens. Before any signature check, the header must
/// name HS256 exactly: `alg: none`, other HMAC sizes and asymmetric algorithms are refused.
struct TokenService: Sendable {
    private let keys: JWTKeyCollection

    init(secret: String) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: Data(secret.utf8)), digestAlgorithm: .sha256)
        self.keys = keys
    }

    func verify(_ token: String) async -> TokenClaims? {
        guard Self.headerAlgorithm(of: token) == "HS256" else { return nil }
        return try? await keys.verify(token, as: TokenClaims.self)
    }

    func sign(_ claims: TokenClaims) async throws -> String {
        try await keys.sign(claims)
    }

    func mint(role: Role, subject: UUID, business: UUID?, lifetime: TimeInterval) async throws -> String {
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let claims = TokenClaims(
            sub: SubjectClaim(value: subject.uuidString.lowercased()), role: role, business: business,
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
