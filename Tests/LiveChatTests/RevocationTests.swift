import Foundation
import Testing
@testable import ChatDomain
@testable import LiveChat

/// CONTRACT.md "Keys and trust": logout revokes a login token (its `jti`) and deactivation an
/// agent, at once, sockets included (4003), on every node.
@Suite("Logout and agent deactivation", .timeLimit(.minutes(3)))
struct RevocationTests {
    @Test func logoutRevokesThatTokenOnlyAndClosesItsSockets() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let (_, token) = try await client.loginAgent(business, email: "lea@shop.example")
            let other = try await client.post("/auth/login/", json: ["email": "lea@shop.example", "password": "secret-password"])
            let otherToken = try #require(other.data["token"] as? String)
            #expect(otherToken != token)
            let chat = try await client.startChat(business)
            let chatSocket = try await client.joined(chat, token: token)
            let (feed, _) = try await client.feed(token: token)
            let keptFeed = try await client.feed(token: otherToken).0

            let out = try await client.post("/auth/logout/", token: token)
            #expect(out.status == 200)
            #expect(out.message == "Logout successful")
            #expect(try await chatSocket.closed().code == 4003)
            #expect(try await feed.closed().code == 4003)
            #expect(try await client.get("/chat/sessions/", token: token).status == 401)
            #expect(try await client.post("/auth/logout/", token: token).status == 401)
            let refused = try await client.socket(session: chat.id, token: token)
            #expect(try await refused.closed().code == 4003)
            // The same agent's other login token is untouched.
            #expect(try await client.get("/chat/sessions/", token: otherToken).status == 200)
            try await chatSocketStillOpen(keptFeed)
            await keptFeed.close()
        }
    }

    private func chatSocketStillOpen(_ socket: TestSocket) async throws {
        #expect(!socket.ws.isClosed)
    }

    @Test func logoutRefusals() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            #expect(try await client.post("/auth/logout/").status == 401)
            #expect(try await client.post("/auth/logout/", token: "not.a.token").status == 401)
            #expect(try await client.post("/auth/logout/", token: chat.token).status == 403)
            // A token without a jti (minted by the CLI) cannot be revoked.
            let minted = try await client.agentToken(business.id)
            let reply = try await client.post("/auth/logout/", token: minted)
            #expect(reply.status == 400)
            #expect(reply.message?.contains("jti") == true)
        }
    }

    @Test func aDeactivatedAgentIsRefusedEverywhereAndItsSocketsClosed() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let (id, token) = try await client.loginAgent(business, email: "max@shop.example")
            let admin = try await client.adminToken()
            let chat = try await client.startChat(business)
            let socket = try await client.joined(chat, token: token)
            let (feed, _) = try await client.feed(token: token)
            let visitor = try await client.joined(chat)

            let off = try await client.request(.PATCH, "/admin/businesses/\(business.id)/agents/\(id)/", token: admin, json: ["active": false])
            #expect(off.status == 200)
            #expect(off.data["active"] as? Bool == false)
            #expect(try await socket.closed().code == 4003)
            #expect(try await feed.closed().code == 4003)
            #expect(try await client.history(chat.id, token: token).status == 401)
            let login = try await client.post("/auth/login/", json: ["email": "max@shop.example", "password": "secret-password"])
            #expect(login.status == 403)
            #expect(login.message == "This agent account is deactivated.")
            let agents = try await client.get("/admin/businesses/\(business.id)/agents/", token: admin).json["data"] as? [JSON] ?? []
            #expect(agents.first { $0["id"] as? String == id }?["active"] as? Bool == false)
            // The visitor's socket is not touched.
            try await visitor.send(["type": "text", "content": "anyone?"])
            #expect(try await visitor.next(type: "text")["content"] as? String == "anyone?")

            let on = try await client.request(.PATCH, "/admin/businesses/\(business.id)/agents/\(id)/", token: admin, json: ["active": true])
            #expect(on.status == 200)
            #expect(try await client.post("/auth/login/", json: ["email": "max@shop.example", "password": "secret-password"]).status == 200)
            #expect(try await client.history(chat.id, token: token).status == 200)
            await visitor.close()
        }
    }

    @Test func deactivationRefusals() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let otherBusiness = try await client.makeBusiness()
            let (id, token) = try await client.loginAgent(business)
            let admin = try await client.adminToken()
            func patch(_ path: String, _ body: Any, token: String?) async throws -> Int {
                try await client.request(.PATCH, path, token: token, json: body).status
            }
            let path = "/admin/businesses/\(business.id)/agents/\(id)/"
            #expect(try await patch(path, ["active": false], token: token) == 403)
            #expect(try await patch(path, ["active": false], token: nil) == 401)
            #expect(try await patch(path, ["active": "no"], token: admin) == 400)
            #expect(try await patch(path, [String: Any](), token: admin) == 400)
            #expect(try await patch("/admin/businesses/\(otherBusiness.id)/agents/\(id)/", ["active": false], token: admin) == 404)
            #expect(try await patch("/admin/businesses/\(business.id)/agents/\(UUID())/", ["active": false], token: admin) == 404)
            #expect(try await patch("/admin/businesses/\(business.id)/agents/not-a-uuid/", ["active": false], token: admin) == 404)
            // Nothing changed.
            #expect(try await client.get("/chat/sessions/", token: token).status == 200)
        }
    }
}
