import Foundation
import Testing
@testable import LiveChat

/// Webhooks (CONTRACT.md, "Webhooks"): against a receiver on loopback, so these servers allow
/// private addresses (`LIVECHAT_WEBHOOK_ALLOW_PRIVATE=1`); the refusal of them is tested without.
@Suite("Webhooks", .timeLimit(.minutes(3)))
struct WebhookTests {
    private func create(_ client: TestClient, token: String, url: String, events: [String]) async throws -> (id: String, secret: String) {
        let reply = try await client.post("/chat/webhooks/", token: token, json: ["url": url, "events": events])
        #expect(reply.status == 201, "\(reply.text)")
        #expect(reply.message == "Webhook created successfully")
        return (reply.data["id"] as? String ?? "", reply.data["secret"] as? String ?? "")
    }

    @Test func deliveriesAreSignedRetriedWithBackoffAndArriveOncePerID() async throws {
        // Every delivery is refused twice (500), then taken (200).
        let receiver = try await WebhookReceiver { _, before in before < 2 ? 500 : 200 }
        try await withServer({ $0.webhookAllowPrivate = true }) { _, client in
            let business = try await client.makeBusiness()
            let admin = try await client.loginAgent(business, admin: true)
            let hook = try await create(client, token: admin.token, url: receiver.url, events: ["message", "session_ended", "session_started"])
            #expect(hook.secret.hasPrefix("whsec_") && hook.secret.count == 70)

            let chat = try await client.startChat(business)
            let visitor = try await client.joined(chat)
            let agent = try await client.joined(chat, token: admin.token)
            try await visitor.send(["type": "text", "content": "where is my order?"])
            try await agent.send(["type": "note", "content": "secret note, never sent"])
            _ = try await agent.next(type: "note")
            #expect(try await client.post("/chat/sessions/\(chat.id)/end/", token: admin.token).status == 200)

            let taken = try await eventually(timeout: 30, { receiver.all.filter { $0.status == 200 } }, until: { $0.count == 3 })
            // Tried side by side: the order they arrive in is not the order of the events.
            #expect(Set(taken.compactMap { $0.json["event"] as? String }) == ["session_started", "message", "session_ended"])
            for delivery in taken {
                let tries = receiver.all.filter { $0.id == delivery.id }
                #expect(tries.map(\.status) == [500, 500, 200])
                #expect(tries.allSatisfy { WebhookReceiver.verify($0.signature, body: $0.body, secret: hook.secret) })
                // About 1 s, then about 2 s, between the tries.
                #expect(tries[1].at.timeIntervalSince(tries[0].at) > 0.8 && tries[2].at.timeIntervalSince(tries[1].at) > 1.6)
                let json = delivery.json
                #expect(json["business"] as? String == business.id && isISOMillis(json["timestamp"]))
                #expect((json["data"] as? JSON)?["session_id"] as? String == chat.id)
            }
            let message = taken.first { $0.json["event"] as? String == "message" }?.json["data"] as? JSON
            #expect((message?["message"] as? JSON)?["content"] as? String == "where is my order?")
            #expect(!receiver.all.contains { String(decoding: $0.body, as: UTF8.self).contains("secret note") })
            #expect(!WebhookReceiver.verify(taken[0].signature, body: taken[0].body, secret: "whsec_wrong"))

            // The log, newest first: three tries per event, the last 200, each delivery delivered.
            // Each try is logged once its answer is in: the last ones a moment after the receiver answered.
            let log = try await eventually({ try await client.get("/chat/webhooks/\(hook.id)/deliveries/", token: admin.token) },
                                           until: { ($0.json["data"] as? [JSON] ?? []).filter { $0["state"] as? String == "delivered" }.count == 9 })
            #expect(log.status == 200 && log.message == "Webhook deliveries fetched successfully")
            let attempts = log.json["data"] as? [JSON] ?? []
            #expect(attempts.count == 9)
            #expect(attempts.first?["status_code"] as? Int == 200 && attempts.last?["status_code"] as? Int == 500)
            #expect(attempts.allSatisfy { $0["state"] as? String == "delivered" && isISOMillis($0["attempted_at"]) })
            #expect(Set(attempts.compactMap { $0["event_id"] as? String }) == Set(taken.compactMap(\.id)))
            for socket in [visitor, agent] { await socket.close() }
        }
        await receiver.stop()
    }

    @Test func aPendingDeliverySurvivesARestartOfTheServer() async throws {
        let receiver = try await WebhookReceiver { _, _ in 503 }
        try await withDataFolder { folder in
            var config = folder
            config.webhookAllowPrivate = true
            var server = try await TestServer.start(config)
            var client = TestClient(server: server)
            let business = try await client.makeBusiness()
            let admin = try await client.loginAgent(business, admin: true)
            let hook = try await create(client, token: admin.token, url: receiver.url, events: ["session_started"])
            let chat = try await client.startChat(business)
            _ = try await eventually({ receiver.all }, until: { !$0.isEmpty })
            try await server.stop()

            // Back up: the receiver takes it now, after the restart.
            receiver.answer { _, _ in 204 }
            server = try await TestServer.start(config)
            client = TestClient(server: server)
            let taken = try await eventually(timeout: 30, { receiver.all.filter { $0.status == 204 } }, until: { !$0.isEmpty })
            #expect(taken.count == 1)
            #expect(Set(receiver.all.map(\.id)).count == 1)  // the same id on every try
            #expect((taken[0].json["data"] as? JSON)?["session_id"] as? String == chat.id)
            let log = try await eventually({ try await client.get("/chat/webhooks/\(hook.id)/deliveries/", token: admin.token) },
                                           until: { ($0.json["data"] as? [JSON])?.first?["state"] as? String == "delivered" })
            #expect((log.json["data"] as? [JSON])?.first?["status_code"] as? Int == 204)
            try await server.stop()
        }
        await receiver.stop()
    }

    @Test func aReceiverThatCannotBeReachedIsLoggedAndTriedAgain() async throws {
        try await withServer({ $0.webhookAllowPrivate = true }) { _, client in
            let business = try await client.makeBusiness()
            let admin = try await client.loginAgent(business, admin: true)
            // Nothing listens on this port: the connection is refused (the client tries again until its 10 s are up).
            let hook = try await create(client, token: admin.token, url: "http://127.0.0.1:9/none", events: ["session_started"])
            _ = try await client.startChat(business)
            let log = try await eventually(timeout: 30, { try await client.get("/chat/webhooks/\(hook.id)/deliveries/", token: admin.token) },
                                           until: { !($0.json["data"] as? [JSON] ?? []).isEmpty })
            let attempts = log.json["data"] as? [JSON] ?? []
            #expect(attempts.allSatisfy { $0["status_code"] is NSNull && ($0["error"] as? String)?.isEmpty == false })
            #expect(attempts.first?["state"] as? String == "pending")
        }
    }

    @Test func badWebhooksAndCallersAreRefused() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let admin = try await client.loginAgent(business, admin: true)
            for url in ["http://127.0.0.1:8080/x", "http://localhost/", "http://10.1.2.3/", "http://[::1]/", "http://169.254.169.254/latest",
                        "http://192.168.0.10/", "http://[fd00::1]/", "http://0.0.0.0/"] {
                let reply = try await client.post("/chat/webhooks/", token: admin.token, json: ["url": url, "events": ["message"]])
                #expect(reply.status == 400, "\(url)")
                #expect((reply.json["errors"] as? JSON)?["url"] != nil, "\(url): \(reply.text)")
            }
            for (body, field) in [
                (["events": ["message"]], "url"), (["url": "ftp://example.com/", "events": ["message"]], "url"),
                (["url": "not a url", "events": ["message"]], "url"), (["url": "https://user:pw@example.com/", "events": ["message"]], "url"),
                (["url": 42, "events": ["message"]], "url"), (["url": "https://example.com/"], "events"),
                (["url": "https://example.com/", "events": []], "events"), (["url": "https://example.com/", "events": ["typing"]], "events"),
                (["url": "https://example.com/", "events": "message"], "events"),
            ] as [([String: Any], String)] {
                let reply = try await client.post("/chat/webhooks/", token: admin.token, json: body)
                #expect(reply.status == 400, "\(body)")
                #expect((reply.json["errors"] as? JSON)?[field] != nil, "\(body): \(reply.text)")
            }
            let malformed = try await client.request(.POST, "/chat/webhooks/", token: admin.token, body: Data("{".utf8),
                                                     headers: [("Content-Type", "application/json")])
            #expect(malformed.status == 400)
            // Only business admins.
            let plain = try await client.agentToken(business.id)
            #expect(try await client.get("/chat/webhooks/", token: plain).status == 403)
            #expect(try await client.post("/chat/webhooks/", token: plain, json: ["url": "https://example.com/", "events": ["message"]]).status == 403)
            let chat = try await client.startChat(business)
            #expect(try await client.get("/chat/webhooks/", token: chat.token).status == 403)
            #expect(try await client.get("/chat/webhooks/").status == 401)
            #expect(try await client.get("/chat/webhooks/", token: try await client.adminToken()).status == 400)

            // Another business's webhook is not found; unknown and malformed ids neither.
            let other = try await client.makeBusiness()
            let otherAdmin = try await client.loginAgent(other, admin: true)
            #expect(try await client.get("/chat/webhooks/", token: otherAdmin.token).status == 200)
            let platform = try await client.adminToken()
            let theirs = try await client.post("/chat/webhooks/?business=\(other.id)", token: platform,
                                               json: ["url": "https://93.184.215.14/hook", "events": ["message", "message"]])
            #expect(theirs.status == 201 && theirs.data["events"] as? [String] == ["message"])
            let theirID = theirs.data["id"] as? String ?? ""
            for path in ["/chat/webhooks/\(theirID)/", "/chat/webhooks/\(UUID())/", "/chat/webhooks/nope/"] {
                #expect(try await client.request(.DELETE, path, token: admin.token).status == 404, "\(path)")
            }
            #expect(try await client.get("/chat/webhooks/\(theirID)/deliveries/", token: admin.token).status == 404)
            let listed = try await client.get("/chat/webhooks/", token: otherAdmin.token)
            #expect((listed.json["data"] as? [JSON])?.count == 1 && (listed.json["data"] as? [JSON])?.first?["secret"] == nil)
            #expect(try await client.request(.DELETE, "/chat/webhooks/\(theirID)/", token: otherAdmin.token).status == 204)
            #expect(try await client.request(.DELETE, "/chat/webhooks/\(theirID)/", token: otherAdmin.token).status == 404)
        }
    }
}
