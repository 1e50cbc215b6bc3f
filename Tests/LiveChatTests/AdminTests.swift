import Fluent
import Foundation
import Testing
import Vapor
@testable import ChatDomain
@testable import ChatStorage
@testable import LiveChat

@Suite("Admin API: businesses, departments, agents", .timeLimit(.minutes(3)))
struct AdminTests {
    @Test func createAndListBusinessesDepartmentsAndAgents() async throws {
        try await withServer { server, client in
            let admin = try await client.adminToken()
            let created = try await client.post("/admin/businesses/", token: admin, json: [
                "name": "Acme", "allowed_origins": ["https://acme.example"], "allow_unverified_customer_ids": true])
            #expect(created.status == 201)
            let id = try #require(created.data["id"] as? String)
            #expect((created.data["identity_secret"] as? String)?.count == 64)
            #expect(created.data["allowed_origins"] as? [String] == ["https://acme.example"])
            #expect(created.data["allow_unverified_customer_ids"] as? Bool == true)
            let listed = try await client.get("/admin/businesses/", token: admin)
            let entry = (listed.json["data"] as? [JSON])?.first { $0["id"] as? String == id }
            #expect(entry != nil)
            #expect(entry?["identity_secret"] == nil || entry?["identity_secret"] is NSNull)

            let department = try await client.post("/admin/businesses/\(id)/departments/", token: admin, json: ["name": "Billing"])
            #expect(department.status == 201)
            let departments = try await client.get("/admin/businesses/\(id)/departments/", token: admin)
            #expect((departments.json["data"] as? [JSON])?.count == 1)

            let agent = try await client.post("/admin/businesses/\(id)/agents/", token: admin, json: [
                "email": "Ann@Acme.example", "password": "correct horse", "name": "Ann"])
            #expect(agent.status == 201)
            #expect(agent.data["email"] as? String == "ann@acme.example")
            #expect(agent.data["password"] == nil && agent.data["password_hash"] == nil)
            let agents = try await client.get("/admin/businesses/\(id)/agents/", token: admin)
            #expect((agents.json["data"] as? [JSON])?.count == 1)
            let stored = try await AgentModel.query(on: server.app.db).filter(\.$email == "ann@acme.example").first()
            #expect(stored?.passwordHash?.hasPrefix("$2") == true)
            #expect(try Bcrypt.verify("correct horse", created: stored?.passwordHash ?? ""))

            let duplicate = try await client.post("/admin/businesses/\(id)/agents/", token: admin, json: [
                "email": "ann@acme.example", "password": "another one", "name": "Ann 2"])
            #expect(duplicate.status == 409)
        }
    }

    @Test func onlyAdminsMayManage() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let agent = try await client.agentToken(business.id)
            for token in [nil, "garbage"] as [String?] {
                #expect(try await client.post("/admin/businesses/", token: token, json: ["name": "x"]).status == 401)
                #expect(try await client.get("/admin/businesses/", token: token).status == 401)
            }
            for token in [agent, chat.token] {
                #expect(try await client.post("/admin/businesses/", token: token, json: ["name": "x"]).status == 403)
                #expect(try await client.get("/admin/businesses/\(business.id)/agents/", token: token).status == 403)
                #expect(try await client.post("/admin/businesses/\(business.id)/departments/", token: token, json: ["name": "x"]).status == 403)
            }
        }
    }

    @Test func badAdminInput() async throws {
        try await withServer { _, client in
            let admin = try await client.adminToken()
            let business = try await client.makeBusiness()
            let cases: [(String, Any, Int)] = [
                ("/admin/businesses/", [String: Any](), 400),
                ("/admin/businesses/", ["name": 5], 400),
                ("/admin/businesses/", ["name": "x", "allowed_origins": "https://a.example"], 400),
                ("/admin/businesses/", ["name": "x", "allowed_origins": ["not an origin"]], 400),
                ("/admin/businesses/", ["name": "x", "allow_unverified_customer_ids": "yes"], 400),
                ("/admin/businesses/\(UUID().uuidString)/departments/", ["name": "x"], 404),
                ("/admin/businesses/not-a-uuid/departments/", ["name": "x"], 404),
                ("/admin/businesses/\(business.id)/departments/", ["name": ""], 400),
                ("/admin/businesses/\(business.id)/agents/", ["email": "nope", "password": "long enough", "name": "x"], 400),
                ("/admin/businesses/\(business.id)/agents/", ["email": "a@b.example", "password": "short", "name": "x"], 400),
                ("/admin/businesses/\(business.id)/agents/", ["email": "a@b.example", "password": "long enough"], 400),
                ("/admin/businesses/\(UUID().uuidString)/agents/", ["email": "a@b.example", "password": "long enough", "name": "x"], 404),
            ]
            for (path, body, status) in cases {
                let reply = try await client.post(path, token: admin, json: body)
                #expect(reply.status == status, "\(path) \(body) → \(reply.status) \(reply.text)")
                #expect(reply.message != nil)
            }
            let malformed = try await client.request(.POST, "/admin/businesses/", token: admin, body: Data("{".utf8),
                                                     headers: [("Content-Type", "application/json")])
            #expect(malformed.status == 400)
        }
    }
}

@Suite("Tokens", .timeLimit(.minutes(3)))
struct TokenTests {
    @Test(arguments: BadToken.allCases.filter { $0 != .missing })
    func badTokensAre401OverHTTP(kind: BadToken) async throws {
        try await withServer { server, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let token = try kind.make(business: business.id, server: server)
            let reply = try await client.history(chat.id, token: token)
            #expect(reply.status == 401)
            #expect(reply.message != nil)
            #expect(!reply.text.contains("eyJ"))
        }
    }

    @Test func anAgentTokenOfAnUnknownBusinessIsRefused() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let token = try await client.agentToken(UUID().uuidString)
            #expect(try await client.history(chat.id, token: token).status == 401)
        }
    }

    @Test func anAgentIsProvisionedOnFirstSightAndStaysInItsBusiness() async throws {
        try await withServer { server, client in
            let business = try await client.makeBusiness()
            let other = try await client.makeBusiness()
            let agentID = UUID()
            let chat = try await client.startChat(business)
            #expect(try await client.history(chat.id, token: try await client.agentToken(business.id, agent: agentID)).status == 200)
            let stored = try await AgentModel.find(agentID, on: server.app.db)
            #expect(stored?.businessID.uuidString.lowercased() == business.id)
            // The same agent id presented for another business is refused.
            let otherChat = try await client.startChat(other)
            #expect(try await client.history(otherChat.id, token: try await client.agentToken(other.id, agent: agentID)).status == 401)
        }
    }

    @Test func issuedTokensCarryTheContractsClaims() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let parts = chat.token.split(separator: ".")
            let header = try JSONSerialization.jsonObject(with: Base64URL.decode(parts[0]) ?? Data()) as? JSON
            let claims = try JSONSerialization.jsonObject(with: Base64URL.decode(parts[1]) ?? Data()) as? JSON
            #expect(header?["alg"] as? String == "HS256")
            #expect(claims?["sub"] as? String == chat.visitorID)
            #expect(claims?["role"] as? String == "visitor")
            #expect(claims?["business"] as? String == business.id)
            #expect(claims?["exp"] is Int && claims?["iat"] is Int)
        }
    }
}
