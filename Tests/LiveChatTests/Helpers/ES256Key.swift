import Crypto
import Foundation

/// An identity provider's ES256 key, for JWKS tests.
struct ES256PrivateKeyForTests {
    let key = P256.Signing.PrivateKey()

    func jwks(kid: String, business: String) -> String {
        let raw = key.publicKey.rawRepresentation  // x ‖ y
        let x = CustomerToken.base64url(raw.prefix(32))
        let y = CustomerToken.base64url(raw.suffix(32))
        return #"{"keys":[{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"\#(kid)","business":"\#(business)","x":"\#(x)","y":"\#(y)"}]}"#
    }

    func sign(kid: String, claims: [String: Any]) async throws -> String {
        let header = try JSONSerialization.data(withJSONObject: ["alg": "ES256", "typ": "JWT", "kid": kid])
        let payload = try JSONSerialization.data(withJSONObject: claims)
        let input = CustomerToken.base64url(header) + "." + CustomerToken.base64url(payload)
        let signature = try key.signature(for: Data(input.utf8)).rawRepresentation
        return input + "." + CustomerToken.base64url(signature)
    }
}
