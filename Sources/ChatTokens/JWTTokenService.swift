import ChatDomain
import Foundation
import JWTKit

/// Issues and verifies tokens. The server's own are HS256, signed with its secret (a previous
/// secret, while it rotates, still verifies but never signs); with a JWKS file, agent tokens
/// signed by a merchant's identity provider (RS256 or ES256) are accepted too: each of its keys
/// names the one business it speaks for (`"business"`), and its tokens must carry that business,
/// the configured `iss` and an `aud` holding the configured audience. The header is read
/// first: `alg` picks the key set before any signature check (`alg: none`, other HMAC sizes and
/// anything else are refused, an HS256 header is never checked against a public key), and a
/// header with `crit` is refused (RFC 7515 §4.1.11: this server understands no extension).
package struct JWTTokenService: TokenService {
    private let keys: JWTKeyCollection
    /// `LIVECHAT_JWT_SECRET_PREVIOUS`: verifies what the previous secret signed, until it expires.
    private let previous: JWTKeyCollection?
    private let external: JWTKeyCollection?
    /// The `kid`s of the JWKS file and the business each speaks for: a token naming one of them is
    /// checked against that file.
    private let externalKeys: [String: UUID]
    /// What a JWKS key's tokens must say in `iss` and `aud`.
    private let issuer: String?
    private let audience: String?

    package init(secret: String, previousSecret: String? = nil, jwksFile: String? = nil, issuer: String? = nil,
                 audience: String? = nil) async throws {
        self.issuer = issuer
        self.audience = audience
        keys = await Self.hmac(secret)
        if let previousSecret { previous = await Self.hmac(previousSecret) } else { previous = nil }
        if let jwksFile {
            let json = try String(contentsOfFile: jwksFile, encoding: .utf8)
            let external = JWTKeyCollection()
            do {
                try await external.add(jwksJSON: json)
            } catch {
                throw InvalidJWKS(reason: "\(error)")
            }
            self.external = external
            let document = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any]
            var bound: [String: UUID] = [:]
            for key in (document?["keys"] as? [[String: Any]]) ?? [] {
                guard let kid = key["kid"] as? String, !kid.isEmpty else { throw InvalidJWKS(reason: "every key needs a kid") }
                guard let business = (key["business"] as? String).flatMap(UUID.init(uuidString:)) else {
                    throw InvalidJWKS(reason: "key \(kid) names no business (a \"business\" member holding the business id)")
                }
                bound[kid] = business
            }
            externalKeys = bound
        } else {
            self.external = nil
            externalKeys = [:]
        }
    }

    private static func hmac(_ secret: String) async -> JWTKeyCollection {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: Data(secret.utf8)), digestAlgorithm: .sha256)
        return keys
    }

    package func verify(_ token: String) async -> TokenVerdict {
        guard let header = Self.header(of: token), header["crit"] == nil, let alg = header["alg"] as? String,
              ["HS256", "RS256", "ES256"].contains(alg) else { return .invalid }
        let kid = header["kid"] as? String
        if alg == "HS256", header["kid"] == nil {
            // The server's own (they carry no `kid`).
            if let claims = try? await keys.verify(token, as: JWTClaims.self) { return .valid(claims.claims) }
            guard let previous, let claims = try? await previous.verify(token, as: JWTClaims.self) else { return .invalid }
            return .valid(claims.claims)
        }
        if alg != "HS256", let kid, let business = externalKeys[kid] {
            // A merchant's identity provider speaks for the agents of its own business only.
            guard let external, let claims = try? await external.verify(token, as: JWTClaims.self), claims.role == .agent,
                  claims.business == business, let issuer, claims.iss?.value == issuer,
                  let audience, claims.aud?.value.contains(audience) == true else { return .invalid }
            return .valid(claims.claims)
        }
        if alg != "HS256", kid == nil { return .invalid }
        guard let kid, (1...100).contains(kid.utf8.count) else { return .invalid }
        return .businessKey(kid: kid)
    }

    package func verify(_ token: String, with key: BusinessKey) async -> TokenClaims? {
        guard let header = Self.header(of: token), header["crit"] == nil, header["alg"] as? String == key.algorithm,
              header["kid"] as? String == key.kid else { return nil }
        let keys = JWTKeyCollection()
        switch key.material {
        case .hs256(let secret):
            await keys.add(hmac: HMACKey(from: Data(secret.utf8)), digestAlgorithm: .sha256, kid: JWKIdentifier(string: key.kid))
        case .publicJWK(let json, _):
            guard (try? await keys.add(jwksJSON: #"{"keys":[\#(json)]}"#)) != nil else { return nil }
        }
        return try? await keys.verify(token, as: JWTClaims.self).claims.signed(by: key.kid)
    }

    package func publicKey(fromJWK json: String, kid: String) async -> (json: String, algorithm: String)? {
        guard var jwk = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] else { return nil }
        // A public key only: none of the private parameters of RFC 7518 §6.
        guard Set(jwk.keys).isDisjoint(with: ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]) else { return nil }
        let algorithm: String
        switch (jwk["kty"] as? String, jwk["crv"] as? String) {
        case ("RSA", _): algorithm = "RS256"
        case ("EC", "P-256"): algorithm = "ES256"
        default: return nil
        }
        if let stated = jwk["alg"], stated as? String != algorithm { return nil }
        jwk["alg"] = algorithm
        jwk["kid"] = kid
        jwk["use"] = "sig"
        guard let data = try? JSONSerialization.data(withJSONObject: jwk, options: [.sortedKeys]) else { return nil }
        let normalized = String(decoding: data, as: UTF8.self)
        guard (try? await JWTKeyCollection().add(jwksJSON: #"{"keys":[\#(normalized)]}"#)) != nil else { return nil }
        return (normalized, algorithm)
    }

    package func mint(role: Role, subject: UUID, business: UUID?, lifetime: TimeInterval, tokenID: String?) async throws -> String {
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let claims = JWTClaims(
            sub: SubjectClaim(value: subject.lowercasedText), role: role, business: business,
            exp: ExpirationClaim(value: now.addingTimeInterval(lifetime)), iat: IssuedAtClaim(value: now), jti: tokenID.map(IDClaim.init))
        return try await keys.sign(claims)
    }

    /// Verifies a merchant-signed customer token against the business's identity secret.
    package func verifyCustomerToken(_ token: String, identitySecret: String) async -> String? {
        guard let header = Self.header(of: token), header["alg"] as? String == "HS256", header["crit"] == nil else { return nil }
        let keys = await Self.hmac(identitySecret)
        return try? await keys.verify(token, as: CustomerClaims.self).sub.value
    }

    /// A compact JWT's header, or nil when it is not a JSON object.
    static func header(of token: String) -> [String: Any]? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Base64URL.decode(parts[0]) else { return nil }
        return try? JSONSerialization.jsonObject(with: header) as? [String: Any]
    }
}

/// `LIVECHAT_JWKS_FILE` does not hold a JWKS document.
package struct InvalidJWKS: Error, CustomStringConvertible {
    let reason: String
    package var description: String { "LIVECHAT_JWKS_FILE is not a valid JWKS document: \(reason)" }
}
