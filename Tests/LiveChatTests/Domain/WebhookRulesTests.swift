import Foundation
import Testing
@testable import ChatDomain

/// `WebhookService` on the fake store and the recording sender, and what a delivery is.
@Suite("Rules on fakes: webhooks", .timeLimit(.minutes(3)))
struct WebhookRulesTests {
    @Test func aWebhookNeedsAnAbsoluteHTTPURLAndKnownEvents() async throws {
        let ports = try await FakePorts.make()
        let webhooks = WebhookService(webhookStore: ports.store)
        let shop = try await ports.business()
        for bad in [nil, "", "hooks.shop.example/in", "ftp://hooks.shop.example/in", "https://user:pw@hooks.shop.example/", "https://hooks.shop.example/a b"] {
            let error = await #expect(throws: ChatError.self, "\(bad ?? "nil")") {
                try await webhooks.createWebhook(in: shop.id, url: bad, events: ["message"], sender: ports.sender)
            }
            #expect(error?.fields.keys.sorted() == ["url"])
        }
        for events in [nil, [], ["message", "typing"]] as [[String]?] {
            let error = await #expect(throws: ChatError.self) {
                try await webhooks.createWebhook(in: shop.id, url: "https://hooks.shop.example/in", events: events, sender: ports.sender)
            }
            #expect(error?.fields.keys.sorted() == ["events"])
        }
        #expect(try await ports.store.webhooks(of: shop.id).isEmpty)
        let hook = try await webhooks.createWebhook(in: shop.id, url: "https://hooks.shop.example/in",
                                                   events: ["session_rated", "message", "message"], sender: ports.sender)
        #expect(hook.events == ["message", "session_rated"])
        #expect(hook.secret.hasPrefix("whsec_") && hook.secret.count == 70)
        #expect(try await ports.store.webhooks(of: shop.id) == [hook])
    }

    @Test func aDestinationTheSenderRefusesIsNotStored() async throws {
        let ports = try await FakePorts.make()
        let webhooks = WebhookService(webhookStore: ports.store)
        let shop = try await ports.business()
        ports.sender.refuse(hosts: ["internal.shop.example"])
        await #expect(throws: ChatError.invalid("url", "The host resolves to a loopback, private or link-local address.")) {
            try await webhooks.createWebhook(in: shop.id, url: "https://internal.shop.example/hook", events: ["message"], sender: ports.sender)
        }
        #expect(ports.sender.checked == ["https://internal.shop.example/hook"])
        #expect(try await ports.store.webhooks(of: shop.id).isEmpty)
    }

    @Test func aBusinessHasAtMost20Webhooks() async throws {
        let ports = try await FakePorts.make()
        let webhooks = WebhookService(webhookStore: ports.store)
        let shop = try await ports.business()
        for n in 1...20 {
            _ = try await webhooks.createWebhook(in: shop.id, url: "https://hooks.shop.example/\(n)", events: ["message"], sender: ports.sender)
        }
        await #expect(throws: ChatError.invalid("url", "A business has at most 20 webhooks.")) {
            try await webhooks.createWebhook(in: shop.id, url: "https://hooks.shop.example/21", events: ["message"], sender: ports.sender)
        }
        let other = try await ports.business(name: "Other")
        _ = try await webhooks.createWebhook(in: other.id, url: "https://hooks.other.example/1", events: ["message"], sender: ports.sender)
    }

    @Test func anotherBusinesssWebhookIsNotFound() async throws {
        let ports = try await FakePorts.make()
        let webhooks = WebhookService(webhookStore: ports.store)
        let shop = try await ports.business()
        let theirs = try await webhooks.createWebhook(in: try await ports.business(name: "Other").id, url: "https://hooks.other.example/",
                                                     events: ["message"], sender: ports.sender)
        await #expect(throws: ChatError.webhookNotFound) { try await webhooks.webhook(theirs.id, in: shop.id) }
        await #expect(throws: ChatError.webhookNotFound) { try await webhooks.deleteWebhook(theirs.id, in: shop.id) }
        await #expect(throws: ChatError.webhookNotFound) { try await webhooks.webhookAttempts(theirs.id, in: shop.id) }
        #expect(try await ports.store.webhook(theirs.id) == theirs)
    }

    @Test func aDeliveryCarriesASubscribedEventAndNeverANote() throws {
        let shop = UUID(), session = UUID()
        let hook = Webhook(businessID: shop, url: "https://hooks.shop.example/", events: ["message", "session_ended"], secret: "whsec_x")
        func message(_ type: String) -> String {
            let wire = WireMessage(type: type, id: UUID(), sessionID: session, seq: 1, content: "hi", file: nil, fileName: nil, isAudio: false,
                                   senderID: UUID(), senderType: "agent", clientID: nil, createdAt: Date(timeIntervalSince1970: 1_800_000_000))
            return FeedDraft.messagePayload(wire, json: wire.json)
        }
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        let text = try #require(Webhooks.delivery(of: FeedRecord(cursor: 7, type: "message", payload: message("text"), createdAt: at), to: hook))
        #expect(text.event == "message" && text.sessionID == session && text.webhookID == hook.id && text.attempts == 0)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(text.body.utf8)) as? [String: Any])
        #expect(body["event"] as? String == "message" && body["business"] as? String == shop.lowercasedText)
        #expect(body["timestamp"] as? String == "2027-01-15T08:00:00.000Z" && body["id"] as? String == text.id.lowercasedText)
        #expect(((body["data"] as? [String: Any])?["message"] as? [String: Any])?["content"] as? String == "hi")
        #expect(Webhooks.delivery(of: FeedRecord(cursor: 8, type: "message", payload: message(WireMessage.noteType), createdAt: at), to: hook) == nil)
        #expect(Webhooks.delivery(of: FeedRecord(cursor: 9, type: "session_rated", payload: #"{"type":"session_rated"}"#, createdAt: at), to: hook) == nil)
    }
}
