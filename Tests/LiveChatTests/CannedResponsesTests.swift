import Foundation
import Testing
@testable import LiveChat

/// `GET`/`POST /chat/canned-responses/`, `PATCH`/`DELETE /chat/canned-responses/<id>/`
/// (CONTRACT.md, "Canned responses").
@Suite("Canned responses", .timeLimit(.minutes(3)))
struct CannedResponsesTests {
    private func errors(_ reply: HTTPReply) -> [String: Any] { reply.json["errors"] as? [String: Any] ?? [:] }

    @Test func anAdminWritesThemEveryAgentReadsAndFiltersThem() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let admin = try await client.loginAgent(business, admin: true)
            let agent = try await client.loginAgent(business)
            let greet = try await client.post("/chat/canned-responses/", token: admin.token, json: [
                "shortcut": "/greet", "content": "  Hello! How can I help you today?  "])
            #expect(greet.status == 201)
            #expect(greet.message == "Canned response created successfully")
            #expect(greet.data["shortcut"] as? String == "greet")
            #expect(greet.data["content"] as? String == "Hello! How can I help you today?")
            let id = try #require(greet.data["id"] as? String)
            _ = try await client.post("/chat/canned-responses/", token: admin.token, json: ["shortcut": "refund", "content": "Refunds take 5 days."])
            _ = try await client.post("/chat/canned-responses/", token: admin.token, json: ["shortcut": "bye_2", "content": "Goodbye, and thanks!"])

            func shortcuts(_ query: String) async throws -> [String] {
                let reply = try await client.get("/chat/canned-responses/\(query)", token: agent.token)
                #expect(reply.status == 200)
                return (reply.json["data"] as? [JSON] ?? []).compactMap { $0["shortcut"] as? String }
            }
            #expect(try await shortcuts("") == ["bye_2", "greet", "refund"])
            #expect(try await shortcuts("?q=gr") == ["greet"])
            #expect(try await shortcuts("?q=/re") == ["refund"])
            #expect(try await shortcuts("?q=THANKS") == ["bye_2"])  // in the text, any case
            #expect(try await shortcuts("?q=bye_") == ["bye_2"])
            #expect(try await shortcuts("?q=_") == [])              // `_` is a character, not a wildcard
            #expect(try await shortcuts("?q=%25") == [])
            #expect(try await shortcuts("?q=zzz") == [])

            let changed = try await client.patch("/chat/canned-responses/\(id)/", token: admin.token, json: ["content": "Hi there!"])
            #expect(changed.status == 200)
            #expect(changed.data["shortcut"] as? String == "greet" && changed.data["content"] as? String == "Hi there!")
            let renamed = try await client.patch("/chat/canned-responses/\(id)/", token: admin.token, json: ["shortcut": "hi"])
            #expect(renamed.data["shortcut"] as? String == "hi")
            #expect(try await shortcuts("") == ["bye_2", "hi", "refund"])
            let deleted = try await client.request(.DELETE, "/chat/canned-responses/\(id)/", token: admin.token)
            #expect(deleted.status == 200)
            #expect(try await shortcuts("") == ["bye_2", "refund"])
            #expect(try await client.request(.DELETE, "/chat/canned-responses/\(id)/", token: admin.token).status == 404)
        }
    }

    @Test func writingNeedsABusinessAdminAndAnotherBusinessSeesNothing() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let other = try await client.makeBusiness()
            let admin = try await client.loginAgent(business, admin: true)
            let agent = try await client.loginAgent(business)
            let otherAdmin = try await client.loginAgent(other, admin: true)
            let chat = try await client.startChat(business)
            let created = try await client.post("/chat/canned-responses/", token: admin.token, json: ["shortcut": "greet", "content": "Hello"])
            let id = try #require(created.data["id"] as? String)
            // A plain agent, a visitor, no token.
            #expect(try await client.post("/chat/canned-responses/", token: agent.token, json: ["shortcut": "x", "content": "y"]).status == 403)
            #expect(try await client.patch("/chat/canned-responses/\(id)/", token: agent.token, json: ["content": "y"]).status == 403)
            #expect(try await client.request(.DELETE, "/chat/canned-responses/\(id)/", token: agent.token).status == 403)
            #expect(try await client.get("/chat/canned-responses/", token: chat.token).status == 403)
            #expect(try await client.get("/chat/canned-responses/").status == 401)
            // Another business's admin: not found, and its own list is empty.
            #expect(try await client.patch("/chat/canned-responses/\(id)/", token: otherAdmin.token, json: ["content": "mine"]).status == 404)
            #expect(try await client.request(.DELETE, "/chat/canned-responses/\(id)/", token: otherAdmin.token).status == 404)
            #expect((try await client.get("/chat/canned-responses/", token: otherAdmin.token).json["data"] as? [JSON])?.isEmpty == true)
            // The same shortcut in another business is fine; twice in one is 409.
            #expect(try await client.post("/chat/canned-responses/", token: otherAdmin.token, json: ["shortcut": "greet", "content": "Hey"]).status == 201)
            let twice = try await client.post("/chat/canned-responses/", token: admin.token, json: ["shortcut": "greet", "content": "Again"])
            #expect(twice.status == 409)
            #expect(errors(twice)["shortcut"] != nil)
            _ = try await client.post("/chat/canned-responses/", token: admin.token, json: ["shortcut": "bye", "content": "Bye"])
            #expect(try await client.patch("/chat/canned-responses/\(id)/", token: admin.token, json: ["shortcut": "bye"]).status == 409)
            // The platform admin names the business.
            let platform = try await client.adminToken()
            let listed = try await client.get("/chat/canned-responses/?business=\(business.id)", token: platform)
            #expect((listed.json["data"] as? [JSON])?.count == 2)
            #expect(try await client.get("/chat/canned-responses/", token: platform).status == 400)
            #expect(try await client.post("/chat/canned-responses/?business=\(other.id)", token: platform,
                                          json: ["shortcut": "admin-made", "content": "From the admin"]).status == 201)
            // Fifty concurrent creations of one shortcut: one is stored, the rest are 409.
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        try await client.post("/chat/canned-responses/", token: admin.token, json: ["shortcut": "race", "content": "n\(index)"]).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1)
            #expect(statuses.filter { $0 == 409 }.count == 19)
        }
    }

    @Test func badInputIsRefusedWithTheFieldsError() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let admin = try await client.loginAgent(business, admin: true)
            for (body, field) in [
                (["content": "x"], "shortcut"), (["shortcut": "ok"], "content"), (["shortcut": "", "content": "x"], "shortcut"),
                (["shortcut": "Has Caps", "content": "x"], "shortcut"), (["shortcut": "émoji", "content": "x"], "shortcut"),
                (["shortcut": String(repeating: "a", count: 33), "content": "x"], "shortcut"), (["shortcut": 7, "content": "x"], "shortcut"),
                (["shortcut": "ok", "content": "   "], "content"), (["shortcut": "ok", "content": String(repeating: "a", count: 5001)], "content"),
                (["shortcut": "ok", "content": ["x"]], "content"), (["shortcut": "ok", "content": "nul\u{0}"], "content"),
            ] as [([String: Any], String)] {
                let reply = try await client.post("/chat/canned-responses/", token: admin.token, json: body)
                #expect(reply.status == 400, "\(body)")
                #expect(errors(reply)[field] != nil, "\(body): \(reply.text)")
            }
            let created = try await client.post("/chat/canned-responses/", token: admin.token, json: ["shortcut": "ok", "content": "Fine"])
            let id = try #require(created.data["id"] as? String)
            #expect(try await client.patch("/chat/canned-responses/\(id)/", token: admin.token, json: [:]).status == 400)
            #expect(try await client.patch("/chat/canned-responses/\(id)/", token: admin.token, json: ["shortcut": "BAD"]).status == 400)
            #expect(try await client.patch("/chat/canned-responses/not-a-uuid/", token: admin.token, json: ["content": "x"]).status == 404)
            #expect(try await client.patch("/chat/canned-responses/\(UUID().uuidString)/", token: admin.token, json: ["content": "x"]).status == 404)
            let malformed = try await client.request(.POST, "/chat/canned-responses/", token: admin.token, body: Data("[1,".utf8),
                                                     headers: [("Content-Type", "application/json")])
            #expect(malformed.status == 400)
            #expect(try await client.get("/chat/canned-responses/?q=\(String(repeating: "q", count: 201))", token: admin.token).status == 400)
            let read = try await client.get("/chat/canned-responses/", token: admin.token)
            #expect((read.json["data"] as? [JSON])?.map { $0["content"] as? String } == ["Fine"])
        }
    }
}
