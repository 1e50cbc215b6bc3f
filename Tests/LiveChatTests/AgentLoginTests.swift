import Foundation
import Testing
@testable import ChatDomain
@testable import ChatStorage
@testable import ChatTokens
@testable import LiveChat

@Suite("POST /auth/login/", .timeLimit(.minutes(3)))
struct AgentLoginTests {
    @Test func anAgentLogsInAndItsTokenWorks() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let admin = try await client.adminToken()
            let created = try await client.post("/admin/businesses/\(business.id)/agents/", token: admin, json: [
                "email": "ann@shop.example", "password": "secret-password", "name": "Ann", "department": business.department])
            #expect(created.status == 201)
            let login = try await client.post("/auth/login/", json: ["email": "ANN@shop.example", "password": "secret-password"])
            #expect(login.status == 200)
            let agent = login.data["agent"] as? JSON ?? [:]
            #expect(agent["name"] as? String == "Ann")
            #expect(agent["business"] as? String == business.id)
            #expect(agent["department"] as? String == business.department)
            #expect(agent["password_hash"] == nil)
            let token = try #require(login.data["token"] as? String)
            let chat = try await client.startChat(business)
            #expect(try await client.history(chat.id, token: token).status == 200)
            #expect(try await client.get("/chat/sessions/", token: token).status == 200)
        }
    }

    @Test func wrongCredentialsGetOneAnswerAndRepeatedFailuresAreSlowedDown() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            _ = try await client.loginAgent(business, email: "bob@shop.example")
            let wrongPassword = try await client.post("/auth/login/", json: ["email": "bob@shop.example", "password": "not-it-at-all"])
            let unknownEmail = try await client.post("/auth/login/", json: ["email": "nobody@shop.example", "password": "not-it-at-all"])
            #expect(wrongPassword.status == 401 && unknownEmail.status == 401)
            #expect(wrongPassword.message == unknownEmail.message)
            #expect(wrongPassword.data["token"] == nil)
            for _ in 0..<4 {
                _ = try await client.post("/auth/login/", json: ["email": "bob@shop.example", "password": "still-wrong"])
            }
            let throttled = try await client.post("/auth/login/", json: ["email": "bob@shop.example", "password": "secret-password"])
            #expect(throttled.status == 429)
            #expect(Int(throttled.headers.first(name: "Retry-After") ?? "") ?? 0 > 0)
        }
    }

    @Test func badLoginInput() async throws {
        try await withServer { _, client in
            for body in [[String: Any](), ["email": "a@b.example"], ["email": 5, "password": "x"], ["password": "long-enough"]] {
                let reply = try await client.post("/auth/login/", json: body)
                #expect(reply.status == 400, "\(body)")
                #expect(reply.message != nil)
            }
            let malformed = try await client.request(.POST, "/auth/login/", body: Data("{".utf8), headers: [("Content-Type", "application/json")])
            #expect(malformed.status == 400)
        }
    }

    @Test func jwksKeysSpeakForTheAgentsOfTheirOwnBusinessWithTheConfiguredIssuerAndAudience() async throws {
        let key = ES256PrivateKeyForTests()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("jwks-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try await withDataFolder { folder in
            // The businesses exist first: the JWKS file names the one its key is bound to.
            let first = try await TestServer.start(folder)
            let setup = TestClient(server: first)
            let business = try await setup.makeBusiness()
            let other = try await setup.makeBusiness()
            try await first.stop()
            var config = folder
            config.jwksFile = file.path
            config.jwksIssuer = "https://idp.shop.example/"
            config.jwksAudience = "livechat"
            // A key bound to no business stops the server at boot.
            try key.jwks(kid: "idp-1", business: business.id).replacingOccurrences(of: "\"business\"", with: "\"owner\"")
                .write(to: file, atomically: true, encoding: .utf8)
            await #expect(throws: InvalidJWKS.self) { try await TestServer.start(config) }
            try key.jwks(kid: "idp-1", business: business.id).write(to: file, atomically: true, encoding: .utf8)
            let server = try await TestServer.start(config)
            let client = TestClient(server: server)
            do {
                let chat = try await client.startChat(business)
                let now = Int(Date().timeIntervalSince1970)
                func token(_ changes: [String: Any?] = [:], signer: ES256PrivateKeyForTests = key, kid: String = "idp-1") async throws -> String {
                    var claims: [String: Any] = ["sub": UUID().uuidString, "role": "agent", "business": business.id, "iat": now, "exp": now + 600,
                                                 "iss": "https://idp.shop.example/", "aud": ["livechat", "other-app"]]
                    for (name, value) in changes { claims[name] = value }
                    return try await signer.sign(kid: kid, claims: claims)
                }
                let agentID = UUID()
                let good = try await token(["sub": agentID.uuidString])
                #expect(try await client.history(chat.id, token: good).status == 200)
                #expect(try await AgentModel.find(agentID, on: server.app.db) != nil)
                #expect(try await client.history(chat.id, token: try await token(["aud": "livechat"])).status == 200)
                let refused: [(String, String)] = [
                    ("an admin", try await token(["role": "admin", "business": nil])),
                    ("another business's agent", try await token(["business": other.id])),
                    ("another issuer", try await token(["iss": "https://evil.example/"])),
                    ("no issuer", try await token(["iss": nil])),
                    ("another audience", try await token(["aud": "someone-else"])),
                    ("no audience", try await token(["aud": nil])),
                    ("another key", try await token(signer: ES256PrivateKeyForTests())),
                    ("an unknown kid", try await token(kid: "idp-2")),
                ]
                for (what, bad) in refused {
                    #expect(try await client.history(chat.id, token: bad).status == 401, "\(what)")
                }
            } catch {
                try? await server.stop()
                throw error
            }
            try await server.stop()
        }
    }
}
