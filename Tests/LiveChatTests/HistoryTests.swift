import Foundation
import Testing
@testable import LiveChat

@Suite("GET /chat/history/<session_id>/", .timeLimit(.minutes(3)))
struct HistoryTests {
    @Test func historyIsTheCombinedTimelineOldestFirst() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let socket = try await client.joined(chat)
            try await socket.send(["type": "text", "content": "before the file"])
            _ = try await socket.next(type: "text")
            let upload = try await client.upload(token: chat.token, content: Samples.pdf, fileName: "a.pdf", contentType: "application/pdf")
            try await socket.send(["type": "file", "file": upload.data["file"] as? String ?? ""])
            _ = try await socket.next(type: "file")
            let agent = try await client.agentToken(business.id)
            let reply = try await client.history(chat.id, token: agent)
            #expect(reply.status == 200)
            #expect(reply.message == "Chat timeline fetched successfully")
            let items = reply.json["data"] as? [JSON] ?? []
            #expect(items.map { $0["type"] as? String } == ["message", "attachment", "message"])
            let first = items.first?["data"] as? JSON ?? [:]
            for key in ["id", "session_id", "type", "content", "sender_id", "sender_type", "timestamp", "seq"] {
                #expect(first[key] != nil, "message lacks \(key)")
            }
            let attachment = items[1]["data"] as? JSON ?? [:]
            for key in ["id", "file", "file_name", "content_type", "size", "message", "uploaded_by_end_user", "uploaded_by_agent", "timestamp"] {
                #expect(attachment.keys.contains(key), "attachment lacks \(key)")
            }
            await socket.close()
        }
    }

    @Test func afterAndLimitPage() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let socket = try await client.joined(chat)
            for index in 1...7 { try await socket.send(["type": "text", "content": "m\(index)"]) }
            _ = try await socket.next(type: "text", where: { $0["content"] as? String == "m7" })
            let page = try await client.history(chat.id, token: chat.token, query: "?limit=3").json["data"] as? [JSON] ?? []
            let contents = page.compactMap { ($0["data"] as? JSON)?["content"] as? String }
            #expect(contents == ["m1", "m2", "m3"])
            let anchor = (page.last?["data"] as? JSON)?["id"] as? String ?? ""
            let next = try await client.history(chat.id, token: chat.token, query: "?after=\(anchor)").json["data"] as? [JSON] ?? []
            #expect(next.compactMap { ($0["data"] as? JSON)?["content"] as? String } == ["m4", "m5", "m6", "m7"])
            await socket.close()
        }
    }

    @Test func whoMayReadAndBadInput() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let other = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let stranger = try await client.startChat(business)
            let otherChat = try await client.startChat(other)
            #expect(try await client.history(chat.id, token: nil).status == 401)
            #expect(try await client.history(chat.id, token: "garbage").status == 401)
            #expect(try await client.history(chat.id, token: stranger.token).status == 403)
            #expect(try await client.history(chat.id, token: otherChat.token).status == 404)
            #expect(try await client.history(chat.id, token: try await client.agentToken(other.id)).status == 404)
            #expect(try await client.history(UUID().uuidString, token: chat.token).status == 404)
            #expect(try await client.history("not-a-uuid", token: chat.token).status == 404)
            for query in ["?limit=0", "?limit=abc", "?limit=100000", "?after=nope", "?after=\(UUID().uuidString)"] {
                let reply = try await client.history(chat.id, token: chat.token, query: query)
                #expect(reply.status == 400, "\(query) → \(reply.status)")
                #expect(reply.message != nil)
            }
        }
    }

    @Test func publicVisitorModeServesHistoryAndUploadsWithoutAToken() async throws {
        try await withServer({ $0.publicVisitorHTTP = true }) { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            #expect(try await client.history(chat.id, token: nil).status == 200)
            let upload = try await client.upload(token: nil, content: Samples.pdf, fileName: "a.pdf", contentType: "application/pdf",
                                                 fields: ["uploaded_by_end_user": chat.visitorID])
            #expect(upload.status == 201)
            let anonymous = try await client.upload(token: nil, content: Samples.pdf, fileName: "a.pdf", contentType: "application/pdf")
            #expect(anonymous.status == 401)
            // A token, when given, is still checked.
            #expect(try await client.history(chat.id, token: "garbage").status == 401)
        }
    }
}
