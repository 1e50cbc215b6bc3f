import Crypto
import Foundation

/// HS256 tokens with the contract's claims, signed with the server's secret (as a merchant's
/// backend or an operator would).
enum Tokens {
    static func mint(secret: String, role: String, business: String? = nil, subject: String = UUID().uuidString.lowercased()) -> String {
        let now = Int(Date().timeIntervalSince1970)
        var claims: [String: Any] = ["sub": subject, "role": role, "iat": now, "exp": now + 6 * 3600]
        if let business { claims["business"] = business }
        let header = base64url(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let payload = base64url((try? JSONSerialization.data(withJSONObject: claims)) ?? Data())
        let input = header + "." + payload
        let signature = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return input + "." + base64url(Data(signature))
    }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
