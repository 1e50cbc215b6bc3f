import Foundation
import Testing
@testable import LiveChat

/// Private notes (CONTRACT.md, "Private notes"): stored and numbered like a message, sent to the
/// session's agents and the agent feed, never to a visitor by any path.
@Suite("Private notes", .timeLimit(.minutes(3)))
struct NoteTests {
    private func types(_ socket: TestSocket) -> [String] { socket.received.compactMap { $0["type"] as? String } }

    @Test func aNoteReachesTheAgentsAndTheFeedAndNeverTheVisitor() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let agentToken = try await client.agentToken(business.id)
            let (feed, _) = try await client.feed(token: agentToken)
            let chat = try await client.startChat(business)
            let visitor = try await client.joined(chat)
            let agent = try await client.joined(chat, token: agentToken)
            let colleague = try await client.joined(chat, token: try await client.agentToken(business.id))
            try await visitor.send(["type": "text", "content": "my order is late"])
            let first = try await agent.next(type: "text")
            try await agent.send(["type": "note", "content": "  VIP: refund without asking  ", "client_id": "n-1"])
            for socket in [agent, colleague] {
                let note = try await socket.next(type: "note")
                #expect(note["content"] as? String == "VIP: refund without asking")
                #expect(note["private"] as? Bool == true && note["sender_type"] as? String == "agent")
                #expect(note["seq"] as? Int == (first["seq"] as? Int ?? 0) + 1)
                #expect(note["client_id"] as? String == "n-1")
            }
            let fed = try await feed.next(type: "message", where: { ($0["message"] as? JSON)?["type"] as? String == "note" })
            #expect((fed["message"] as? JSON)?["private"] as? Bool == true)
            // The next message reaches the visitor, after which it has seen no note.
            try await agent.send(["type": "text", "content": "Sorry! Refunded."])
            let reply = try await visitor.next(type: "text", where: { $0["content"] as? String == "Sorry! Refunded." })
            #expect(reply["seq"] as? Int == (first["seq"] as? Int ?? 0) + 2)
            #expect(!types(visitor).contains("note"))
            #expect(!visitor.received.contains { ($0["content"] as? String)?.contains("VIP") == true })

            // Catch-up: a visitor coming back before the note gets the text only, then live messages flow.
            let back = try await client.joined(chat, query: "last_seq=\(first["seq"] as? Int ?? 0)")
            let caught = try await back.next(type: "text")
            #expect(caught["content"] as? String == "Sorry! Refunded.")
            try await agent.send(["type": "text", "content": "Anything else?"])
            _ = try await back.next(type: "text", where: { $0["content"] as? String == "Anything else?" })
            #expect(!types(back).contains("note"))

            // History: the agent's has the note (private), the visitor's does not.
            let agentHistory = try await client.history(chat.id, token: agentToken)
            let agentItems = (agentHistory.json["data"] as? [JSON] ?? []).compactMap { $0["data"] as? JSON }
            let noteItem = agentItems.first { $0["type"] as? String == "note" }
            #expect(noteItem?["private"] as? Bool == true)
            let visitorHistory = try await client.history(chat.id, token: chat.token)
            let visitorItems = (visitorHistory.json["data"] as? [JSON] ?? []).compactMap { $0["data"] as? JSON }
            #expect(visitorItems.map { $0["content"] as? String } == ["my order is late", "Sorry! Refunded.", "Anything else?"])
            // A note's id is no anchor for the visitor's pages.
            let noteID = try #require(noteItem?["id"] as? String)
            #expect(try await client.history(chat.id, token: chat.token, query: "?after=\(noteID)").status == 400)
            #expect(try await client.history(chat.id, token: agentToken, query: "?after=\(noteID)").status == 200)

            // The visitor's socket after the end: what it missed, without the note, then 4006.
            try await agent.send(["type": "note", "content": "closing note"])
            _ = try await agent.next(type: "note", where: { $0["content"] as? String == "closing note" })
            _ = try await client.post("/chat/sessions/\(chat.id)/end/", token: agentToken)
            let late = try await client.socket(session: chat.id, token: chat.token, query: "last_seq=0")
            let (code, frames) = try await late.closed()
            #expect(code == 4006)
            #expect(!frames.contains { $0["type"] as? String == "note" })
            for socket in [visitor, agent, colleague, back, feed] { await socket.close() }
        }
    }

    @Test func aVisitorCannotWriteANoteAndBadNotesAreRefused() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let visitor = try await client.joined(chat)
            let agent = try await client.joined(chat, token: try await client.agentToken(business.id))
            try await visitor.send(["type": "note", "content": "let me in"])
            let refused = try await visitor.next(type: "error")
            #expect(refused["message"] as? String == "Only agents can write private notes.")
            for (frame, sentence) in [
                (["type": "note", "content": 5], "Invalid message: \"content\" must be a string."),
                (["type": "note", "content": "   "], "Message content cannot be empty."),
                (["type": "note"], "Invalid message: \"content\" must be a string."),
            ] as [([String: Any], String)] {
                try await agent.send(frame)
                let error = try await agent.next(type: "error")
                #expect(error["message"] as? String == sentence, "\(frame)")
            }
            // Nothing was stored: the next message is number 1.
            try await agent.send(["type": "text", "content": "first"])
            #expect(try await visitor.next(type: "text")["seq"] as? Int == 1)
            #expect(!types(agent).contains("note"))
            await visitor.close(); await agent.close()
        }
    }
}
