import Foundation
import Testing
@testable import LiveChat

@Suite("GET /metrics", .timeLimit(.minutes(3)))
struct MetricsTests {
    /// The value of one sample line (`name{labels} value`) in Prometheus text, nil when absent.
    private func sample(_ text: String, _ series: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test func countsSocketsMessagesLatencyAndResponses() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let visitor = try await client.joined(chat)
            let agent = try await client.joined(chat, token: try await client.agentToken(business.id))
            for index in 1...3 {
                try await visitor.send(["type": "text", "content": "m\(index)"])
                _ = try await agent.next(type: "text")
            }
            #expect(try await client.history(UUID().uuidString, token: chat.token).status == 404)

            let reply = try await client.get("/metrics")
            #expect(reply.status == 200)
            #expect(reply.headers.first(name: "content-type")?.hasPrefix("text/plain") == true)
            let text = reply.text
            #expect(sample(text, "livechat_messages_stored_total") == 3)
            #expect(sample(text, "livechat_broadcast_latency_seconds_count") == 3)
            #expect(sample(text, #"livechat_open_connections{kind="chat"}"#) == 2)
            #expect(sample(text, #"livechat_open_connections{kind="feed"}"#) == 0)
            #expect(sample(text, #"livechat_http_requests_total{route="/admin/businesses/",status="201"}"#) == 1)
            #expect(sample(text, #"livechat_http_requests_total{route="/chat/start-session/",status="201"}"#) == 1)
            #expect(sample(text, #"livechat_http_requests_total{route="/chat/history/:session/",status="404"}"#) == 1)
            #expect(sample(text, #"livechat_http_requests_total{route="/ws/visitor-chat/",status="101"}"#) == 2)  // the two upgrades
            #expect(sample(text, "livechat_sessions_started_total") == 1)
            #expect(text.contains("# HELP livechat_broadcast_latency_seconds"))

            await visitor.close()
            let left = try await eventually({ try await client.get("/metrics").text }) { sample($0, #"livechat_open_connections{kind="chat"}"#) == 1 }
            #expect(sample(left, #"livechat_open_connections{kind="chat"}"#) == 1)
            await agent.close()

            #expect(try await client.post("/chat/sessions/\(chat.id)/end/", token: chat.token).status == 200)
            #expect(try await client.post("/chat/sessions/\(chat.id)/end/", token: chat.token).status == 200)
            let ended = try await eventually({ try await client.get("/metrics").text }) { sample($0, "livechat_sessions_ended_total") != nil }
            #expect(sample(ended, "livechat_sessions_ended_total") == 1)  // ended once, however often asked
        }
    }
}
