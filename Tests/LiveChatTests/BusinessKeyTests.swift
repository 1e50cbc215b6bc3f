import Foundation
import Testing
@testable import LiveChat

/// A business's own keys: they sign agent tokens of that business and nothing else, and a revoked
/// key stops working at once, sockets included.
@Suite("Business keys: /admin/businesses/<id>/keys/", .timeLimit(.minutes(3)))
struct BusinessKeyTests {
    private func claims(_ business: String, role: String = "agent", expiresIn: Int = 600) -> [String: Any] {
        let now = Int(Date().timeIntervalSince1970)
        return ["sub": UUID().uuidString.lowercased(), "role": role, "business": business, "iat": now, "exp": now + expiresIn]
    }

    private func createKey(_ client: TestClient, _ business: String, json: [String: Any] = [:]) async throws -> (kid: String, secret: String?) {
        let reply = try await client.post("/admin/businesses/\(business)/keys/", token: try await client.adminToken(), json: json)
        #expect(reply.status == 201, "\(reply.text)")
        return (try #require(reply.data["kid"] as? String), reply.data["secret"] as? String)
    }

    @Test func aKeySignsAgentTokensOfItsBusinessOnly() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let other = try await client.makeBusiness()
            let (kid, secret) = try await createKey(client, business.id)
            let key = try #require(secret)
            #expect(key.utf8.count >= 32)
            let good = try CustomerToken.raw(claims: claims(business.id), secret: key, header: ["kid": kid])
            #expect(try await client.get("/chat/sessions/", token: good).status == 200)
            let refused = [
                ("an admin token", try CustomerToken.raw(claims: claims(business.id, role: "admin"), secret: key, header: ["kid": kid])),
                ("a visitor token", try CustomerToken.raw(claims: claims(business.id, role: "visitor"), secret: key, header: ["kid": kid])),
                ("another business's agent", try CustomerToken.raw(claims: claims(other.id), secret: key, header: ["kid": kid])),
                ("no kid", try CustomerToken.raw(claims: claims(business.id), secret: key)),
                ("an unknown kid", try CustomerToken.raw(claims: claims(business.id), secret: key, header: ["kid": "bk_unknown"])),
                ("another algorithm", try CustomerToken.raw(claims: claims(business.id), secret: key, alg: "HS512", header: ["kid": kid])),
            ]
            for (what, token) in refused {
                #expect(try await client.get("/chat/sessions/", token: token).status == 401, "\(what)")
                let onAdmin = try await client.get("/admin/businesses/", token: token).status
                #expect(onAdmin == 401 || onAdmin == 403, "\(what) on the admin API")
            }
            // The list shows the key, never its secret.
            let list = try await client.get("/admin/businesses/\(business.id)/keys/", token: try await client.adminToken())
            #expect(list.status == 200)
            let keys = list.json["data"] as? [JSON] ?? []
            #expect(keys.map { $0["kid"] as? String } == [kid])
            #expect(keys.first?["algorithm"] as? String == "HS256")
            #expect(!list.text.contains(key))
            #expect((try await client.get("/admin/businesses/\(other.id)/keys/", token: try await client.adminToken()).json["data"] as? [JSON])?.isEmpty == true)
        }
    }

    @Test func revokingAKeyRefusesItsTokensAndClosesTheirSocketsWith4003() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let other = try await client.makeBusiness()
            let (kid, secret) = try await createKey(client, business.id)
            let (keptKid, keptSecret) = try await createKey(client, business.id)
            let token = try CustomerToken.raw(claims: claims(business.id), secret: try #require(secret), header: ["kid": kid])
            let kept = try CustomerToken.raw(claims: claims(business.id), secret: try #require(keptSecret), header: ["kid": keptKid])
            let chat = try await client.startChat(business)
            let socket = try await client.joined(chat, token: token)
            let keptSocket = try await client.joined(chat, token: kept)
            let (feed, _) = try await client.feed(token: token)
            let admin = try await client.adminToken()
            // Another business's id, an unknown kid: 404, nothing revoked.
            #expect(try await client.request(.DELETE, "/admin/businesses/\(other.id)/keys/\(kid)/", token: admin).status == 404)
            #expect(try await client.request(.DELETE, "/admin/businesses/\(business.id)/keys/bk_nothing/", token: admin).status == 404)
            #expect(try await client.request(.DELETE, "/admin/businesses/\(business.id)/keys/\(kid)/", token: try await client.agentToken(business.id)).status == 403)
            #expect(try await client.get("/chat/sessions/", token: token).status == 200)
            let revoked = try await client.request(.DELETE, "/admin/businesses/\(business.id)/keys/\(kid)/", token: admin)
            #expect(revoked.status == 200)
            #expect(try await client.get("/chat/sessions/", token: token).status == 401)
            #expect(try await socket.closed(timeout: 10).0 == 4003)
            #expect(try await feed.closed(timeout: 10).0 == 4003)
            // The other key and its socket go on.
            #expect(try await client.get("/chat/sessions/", token: kept).status == 200)
            try await keptSocket.send(["type": "text", "content": "still here"])
            #expect(try await keptSocket.next(type: "text")["content"] as? String == "still here")
            #expect(try await client.request(.DELETE, "/admin/businesses/\(business.id)/keys/\(kid)/", token: admin).status == 404)
            let reopened = try await client.socket(session: chat.id, token: token)
            #expect(try await reopened.closed(timeout: 10).0 == 4003)
            await keptSocket.close()
        }
    }

    @Test func aPublicJWKVerifiesTheBusinesssOwnSignatures() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let idp = ES256PrivateKeyForTests()
            let jwks = try #require(try JSONSerialization.jsonObject(with: Data(idp.jwks(kid: "theirs", business: business.id).utf8)) as? JSON)
            let jwk = try #require((jwks["keys"] as? [JSON])?.first)
            let (kid, secret) = try await createKey(client, business.id, json: ["jwk": jwk])
            #expect(secret == nil)
            let token = try await idp.sign(kid: kid, claims: claims(business.id))
            #expect(try await client.get("/chat/sessions/", token: token).status == 200)
            // Signed by another private key under the same kid: refused.
            let forged = try await ES256PrivateKeyForTests().sign(kid: kid, claims: claims(business.id))
            #expect(try await client.get("/chat/sessions/", token: forged).status == 401)
            let admin = try await client.adminToken()
            let list = try await client.get("/admin/businesses/\(business.id)/keys/", token: admin)
            #expect((list.json["data"] as? [JSON])?.first?["algorithm"] as? String == "ES256")
        }
    }

    @Test func badKeyRequestsGetTheirErrors() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let admin = try await client.adminToken()
            let path = "/admin/businesses/\(business.id)/keys/"
            let withPrivate: JSON = ["kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA", "d": "AAAA"]
            let cases: [(Any, Int)] = [
                (["jwk": "not an object"], 400),
                (["jwk": ["kty": "oct", "k": "c2VjcmV0"]], 400),
                (["jwk": withPrivate], 400),
                (["jwk": ["kty": "EC", "crv": "P-384", "x": "AAAA", "y": "AAAA"]], 400),
                (["jwk": ["kty": "RSA", "alg": "ES256", "n": "AQAB", "e": "AQAB"]], 400),
            ]
            for (body, status) in cases {
                let reply = try await client.post(path, token: admin, json: body)
                #expect(reply.status == status, "\(body): \(reply.text)")
                #expect(reply.message != nil)
            }
            #expect(try await client.request(.POST, path, token: admin, body: Data("{nope".utf8), headers: [("Content-Type", "application/json")]).status == 400)
            #expect(try await client.post("/admin/businesses/\(UUID().uuidString)/keys/", token: admin).status == 404)
            #expect(try await client.post("/admin/businesses/not-a-uuid/keys/", token: admin).status == 404)
            #expect(try await client.post(path, token: try await client.agentToken(business.id)).status == 403)
            #expect(try await client.post(path).status == 401)
            #expect((try await client.get(path, token: admin).json["data"] as? [JSON])?.isEmpty == true)
        }
    }

    @Test func aSocketIsClosedWith4003WhenItsTokenExpires() async throws {
        try await withServer { server, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let token = try CustomerToken.raw(claims: claims(business.id, expiresIn: 6), secret: server.config.jwtSecret)
            let socket = try await client.joined(chat, token: token)
            let (code, _) = try await socket.closed(timeout: 15)
            #expect(code == 4003)
        }
    }
}
