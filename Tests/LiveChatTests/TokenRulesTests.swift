import Crypto
import Foundation
import Testing
@testable import LiveChat

/// RFC 7519 / 7515 rules for every token the server checks, and the rotation of its secret.
@Suite("Tokens: iat, nbf, crit, kid and the previous secret", .timeLimit(.minutes(3)))
struct TokenRulesTests {
    /// An agent token of `business`, signed by hand with `secret`.
    private func agentToken(_ business: String, secret: String, claims extra: [String: Any] = [:],
                            header: [String: Any] = [:]) throws -> String {
        let now = Int(Date().timeIntervalSince1970)
        var claims: [String: Any] = ["sub": UUID().uuidString.lowercased(), "role": "agent", "business": business,
                                     "iat": now, "exp": now + 600]
        claims.merge(extra) { _, new in new }
        return try CustomerToken.raw(claims: claims, secret: secret, header: header)
    }

    @Test func aWellFormedTokenOfTheServersSecretIsAccepted() async throws {
        try await withServer { server, client in
            let business = try await client.makeBusiness()
            let token = try agentToken(business.id, secret: server.config.jwtSecret)
            #expect(try await client.get("/chat/sessions/", token: token).status == 200)
        }
    }

    @Test func tokensNotYetValidIssuedInTheFutureOrWithCritOrKidAreRefused() async throws {
        try await withServer { server, client in
            let business = try await client.makeBusiness()
            let secret = server.config.jwtSecret
            let now = Int(Date().timeIntervalSince1970)
            let refused = [
                ("nbf in an hour", try agentToken(business.id, secret: secret, claims: ["nbf": now + 3600])),
                ("iat ten years ahead", try agentToken(business.id, secret: secret, claims: ["iat": now + 10 * 365 * 86400, "exp": now + 11 * 365 * 86400])),
                ("iat two minutes ahead", try agentToken(business.id, secret: secret, claims: ["iat": now + 120])),
                ("crit naming an unknown extension", try agentToken(business.id, secret: secret, header: ["crit": ["exp-ext"], "exp-ext": true])),
                ("a kid on the server's secret", try agentToken(business.id, secret: secret, header: ["kid": "anything"])),
                ("expired", try agentToken(business.id, secret: secret, claims: ["iat": now - 7200, "exp": now - 3600])),
            ]
            for (what, token) in refused {
                let reply = try await client.get("/chat/sessions/", token: token)
                #expect(reply.status == 401, "\(what): \(reply.status)")
                #expect(reply.message != nil, "\(what)")
                let chat = try await client.startChat(business)
                let socket = try await client.socket(session: chat.id, token: token)
                let (code, _) = try await socket.closed(timeout: 10)
                #expect(code == 4003, "\(what) on the socket")
            }
            // Within the allowed clock skew, and an nbf already passed: accepted.
            let skewed = try agentToken(business.id, secret: secret, claims: ["iat": now + 30, "nbf": now - 5])
            #expect(try await client.get("/chat/sessions/", token: skewed).status == 200)
        }
    }

    @Test func thePreviousSecretStillVerifiesButNeverSigns() async throws {
        let old = String(repeating: "o", count: 40)
        try await withServer({ $0.previousJWTSecret = old }) { server, client in
            let business = try await client.makeBusiness()
            #expect(try await client.get("/chat/sessions/", token: try agentToken(business.id, secret: old)).status == 200)
            // What the server issues now is signed with the current secret.
            let chat = try await client.startChat(business)
            let parts = chat.token.split(separator: ".").map(String.init)
            let input = Data((parts[0] + "." + parts[1]).utf8)
            let signature = { (secret: String) in
                CustomerToken.base64url(Data(HMAC<SHA256>.authenticationCode(for: input, using: SymmetricKey(data: Data(secret.utf8)))))
            }
            #expect(parts[2] == signature(server.config.jwtSecret))
            #expect(parts[2] != signature(old))
        }
        // Without it, a token of the old secret is refused.
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            #expect(try await client.get("/chat/sessions/", token: try agentToken(business.id, secret: old)).status == 401)
        }
    }
}
