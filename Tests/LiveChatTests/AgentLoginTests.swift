import Foundation
import Testing
@testable import ChatDomain
@testable import ChatStorage
@testable import LiveChat

@Suite("POST /auth/login/")
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

    @Test func jwksSignedAgentTokensAreAcceptedAndProvisioned() async throws {
        let key = ES256PrivateKeyForTests()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("jwks-\(UUID().uuidString).json")
        try key.jwks(kid: "idp-1").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        try await withServer({ $0.jwksFile = file.path }) { server, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let agentID = UUID()
            let token = try await key.sign(kid: "idp-1", claims: [
                "sub": agentID.uuidString, "role": "agent", "business": business.id,
                "iat": Int(Date().timeIntervalSince1970), "exp": Int(Date().timeIntervalSince1970) + 600])
            #expect(try await client.history(chat.id, token: token).status == 200)
            #expect(try await AgentModel.find(agentID, on: server.app.db) != nil)
            // The identity provider cannot mint admins, and its key is not an HMAC secret.
            let admin = try await key.sign(kid: "idp-1", claims: [
                "sub": UUID().uuidString, "role": "admin",
                "iat": Int(Date().timeIntervalSince1970), "exp": Int(Date().timeIntervalSince1970) + 600])
            #expect(try await client.get("/admin/businesses/", token: admin).status == 401)
            let other = ES256PrivateKeyForTests()
            let forged = try await other.sign(kid: "idp-1", claims: [
                "sub": UUID().uuidString, "role": "agent", "business": business.id,
                "iat": Int(Date().timeIntervalSince1970), "exp": Int(Date().timeIntervalSince1970) + 600])
            #expect(try await client.history(chat.id, token: forged).status == 401)
        }
    }
}
