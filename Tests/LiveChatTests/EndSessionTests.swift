import Foundation
import Testing
@testable import LiveChat

@Suite("Ending a session", .timeLimit(.minutes(3)))
struct EndSessionTests {
    @Test func endOverHTTPSendsSessionEndedToEveryConnectionThen4006() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let agentToken = try await client.agentToken(business.id)
            let visitor = try await client.joined(chat)
            let agent = try await client.joined(chat, token: agentToken)
            let reply = try await client.post("/chat/sessions/\(chat.id)/end/", token: agentToken)
            #expect(reply.status == 200)
            #expect(reply.data["active"] as? Bool == false)
            for socket in [visitor, agent] {
                let (code, frames) = try await socket.closed()
                #expect(code == 4006)
                #expect(frames.last?["type"] as? String == "session_ended")
                #expect(frames.last?["message"] as? String == "The session has ended.")
                #expect(isISOMillis(frames.last?["timestamp"]))
            }
            // Ending twice is harmless.
            #expect(try await client.post("/chat/sessions/\(chat.id)/end/", token: chat.token).status == 200)
        }
    }

    @Test func endSessionOverTheSocket() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let visitor = try await client.joined(chat)
            let agent = try await client.joined(chat, token: try await client.agentToken(business.id))
            try await visitor.send(["type": "end_session"])
            for socket in [visitor, agent] {
                let (code, frames) = try await socket.closed()
                #expect(code == 4006)
                #expect(frames.last?["type"] as? String == "session_ended")
            }
            let again = try await client.startChat(business, token: chat.token)
            #expect(again.id != chat.id)
        }
    }

    @Test func messagesSentBeforeTheEndArriveBeforeSessionEndedAndAreStored() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let agentToken = try await client.agentToken(business.id)
            let visitor = try await client.joined(chat)
            let watcher = try await client.joined(chat, token: agentToken)
            for index in 0..<30 { try await visitor.send(["type": "text", "content": "m\(index)"]) }
            try await visitor.send(["type": "end_session"])
            try? await visitor.send(["type": "text", "content": "after the end"])
            let (code, frames) = try await watcher.closed()
            #expect(code == 4006)
            let texts = frames.filter { $0["type"] as? String == "text" }.compactMap { $0["content"] as? String }
            #expect(texts == (0..<30).map { "m\($0)" })
            #expect(frames.last?["type"] as? String == "session_ended")
            let stored = try await client.history(chat.id, token: agentToken).json["data"] as? [JSON] ?? []
            #expect(stored.count == 30)
        }
    }

    @Test func whoMayEnd() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let other = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let stranger = try await client.startChat(business)
            #expect(try await client.post("/chat/sessions/\(chat.id)/end/").status == 401)
            #expect(try await client.post("/chat/sessions/\(chat.id)/end/", token: "garbage").status == 401)
            #expect(try await client.post("/chat/sessions/\(chat.id)/end/", token: try await client.agentToken(other.id)).status == 404)
            #expect(try await client.post("/chat/sessions/\(chat.id)/end/", token: stranger.token).status == 403)
            #expect(try await client.post("/chat/sessions/\(UUID().uuidString)/end/", token: chat.token).status == 404)
            #expect(try await client.post("/chat/sessions/not-a-uuid/end/", token: chat.token).status == 404)
            let socket = try await client.joined(chat)
            try await socket.send(["type": "text", "content": "still open"])
            _ = try await socket.next(type: "text")
            await socket.close()
        }
    }
}
