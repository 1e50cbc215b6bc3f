import Crypto
import Foundation

/// Signs JWTs by hand (no library), as a merchant's backend or an attacker would.
enum CustomerToken {
    static func sign(sub: String, secret: String, expiresIn: TimeInterval = 600, alg: String = "HS256") throws -> String {
        let now = Int(Date().timeIntervalSince1970)
        return try raw(claims: ["sub": sub, "iat": now, "exp": now + Int(expiresIn), "jti": UUID().uuidString], secret: secret, alg: alg)
    }

    static func raw(claims: [String: Any], secret: String, alg: String = "HS256", header extra: [String: Any] = [:]) throws -> String {
        let header = try JSONSerialization.data(withJSONObject: extra.merging(["alg": alg, "typ": "JWT"]) { _, fixed in fixed })
        let payload = try JSONSerialization.data(withJSONObject: claims)
        let input = base64url(header) + "." + base64url(payload)
        let key = SymmetricKey(data: Data(secret.utf8))
        let signature: Data
        switch alg {
        case "HS256": signature = Data(HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: key))
        case "HS512": signature = Data(HMAC<SHA512>.authenticationCode(for: Data(input.utf8), using: key))
        default: signature = Data()
        }
        return input + "." + base64url(signature)
    }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
