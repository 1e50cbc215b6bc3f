import Foundation
import Testing
import NIOWebSocket
@testable import LiveChat

@Suite("Chat socket: messages, files, errors, limits", .timeLimit(.minutes(3)))
struct SocketMessagingTests {
    @Test func textIsStoredThenBroadcastToEveryConnectionWithItsFields() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let agentID = UUID()
            let visitor = try await client.joined(chat)
            let agent = try await client.joined(chat, token: try await client.agentToken(business.id, agent: agentID))
            try await visitor.send(["type": "text", "content": "  Hello, I need help!  ", "client_id": "c-1"])
            for socket in [visitor, agent] {
                let m = try await socket.next(type: "text")
                #expect(m["content"] as? String == "Hello, I need help!")
                #expect(m["sender_id"] as? String == chat.visitorID)
                #expect(m["sender_type"] as? String == "visitor")
                #expect(m["seq"] as? Int == 1)
                #expect(m["client_id"] as? String == "c-1")
                #expect(m["session_id"] as? String == chat.id)
                #expect(UUID(uuidString: m["id"] as? String ?? "") != nil)
                #expect(isISOMillis(m["timestamp"]))
            }
            try await agent.send(["type": "text", "content": "Happy to help."])
            let reply = try await visitor.next(type: "text")
            #expect(reply["sender_id"] as? String == agentID.uuidString.lowercased())
            #expect(reply["sender_type"] as? String == "agent")
            #expect(reply["seq"] as? Int == 2)
            #expect(reply["client_id"] == nil)
            let history = try await client.history(chat.id, token: chat.token)
            let contents = (history.json["data"] as? [JSON] ?? []).compactMap { ($0["data"] as? JSON)?["content"] as? String }
            #expect(contents == ["Hello, I need help!", "Happy to help."])
            await visitor.close(); await agent.close()
        }
    }

    @Test func aRepeatedClientIDIsStoredOnceAndAnsweredWithTheStoredMessage() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let visitor = try await client.joined(chat)
            let agent = try await client.joined(chat, token: try await client.agentToken(business.id))
            try await visitor.send(["type": "text", "content": "once", "client_id": "dup"])
            let first = try await visitor.next(type: "text")
            try await visitor.send(["type": "text", "content": "once", "client_id": "dup"])
            let again = try await visitor.next(type: "text")
            #expect(again["id"] as? String == first["id"] as? String)
            #expect(again["seq"] as? Int == first["seq"] as? Int)
            // Twice in a row without waiting: still one row.
            try await visitor.send(["type": "text", "content": "twice", "client_id": "fast"])
            try await visitor.send(["type": "text", "content": "twice", "client_id": "fast"])
            try await visitor.send(["type": "text", "content": "marker"])
            _ = try await agent.next(type: "text", where: { $0["content"] as? String == "marker" })
            let seen = agent.received.filter { $0["type"] as? String == "text" }.compactMap { $0["content"] as? String }
            #expect(seen == ["once", "twice", "marker"])
            let history = try await client.history(chat.id, token: chat.token)
            #expect((history.json["data"] as? [JSON])?.count == 3)
            await visitor.close(); await agent.close()
        }
    }

    @Test func fileMessageCarriesTheUploadedFile() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let upload = try await client.upload(token: chat.token, content: Samples.wav, fileName: "voice note.wav",
                                                 contentType: "audio/wav", fields: ["uploaded_by_end_user": chat.visitorID])
            #expect(upload.status == 201)
            let url = try #require(upload.data["file"] as? String)
            let visitor = try await client.joined(chat)
            let agent = try await client.joined(chat, token: try await client.agentToken(business.id))
            try await visitor.send(["type": "file", "file": url, "is_audio": true])
            for socket in [visitor, agent] {
                let m = try await socket.next(type: "file")
                #expect(m["file"] as? String == url)
                #expect(m["file_name"] as? String == "voice note.wav")
                #expect(m["is_audio"] as? Bool == true)
                #expect(m["sender_id"] as? String == chat.visitorID)
                #expect(isISOMillis(m["timestamp"]))
            }
            let items = try await client.history(chat.id, token: chat.token).json["data"] as? [JSON] ?? []
            #expect(items.map { $0["type"] as? String } == ["attachment", "message"])
            let attachment = items.first?["data"] as? JSON
            let message = items.last?["data"] as? JSON
            #expect(attachment?["message"] as? String == message?["id"] as? String)
            await visitor.close(); await agent.close()
        }
    }

    @Test func badFramesAnswerAnErrorAndKeepTheSocketOpen() async throws {
        try await withServer({ $0.maxTextLength = 50 }) { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let otherChat = try await client.startChat(business)
            let otherUpload = try await client.upload(token: otherChat.token, content: Samples.pdf, fileName: "x.pdf", contentType: "application/pdf")
            let foreignURL = try #require(otherUpload.data["file"] as? String)
            let visitor = try await client.joined(chat)
            let watcher = try await client.joined(chat, token: try await client.agentToken(business.id))
            let bad: [String] = [
                "not json", "[1,2,3]", "42", "{}", #"{"type": 5}"#, #"{"type": "shout", "content": "x"}"#,
                #"{"type": "text"}"#, #"{"type": "text", "content": 12}"#, #"{"type": "text", "content": "   "}"#,
                #"{"type": "text", "content": "\#(String(repeating: "a", count: 51))"}"#,
                #"{"type": "text", "content": "x", "client_id": 7}"#,
                #"{"type": "file"}"#, #"{"type": "file", "file": "https://elsewhere.example/evil.pdf"}"#,
                #"{"type": "file", "file": "\#(foreignURL)"}"#, #"{"type": "file", "file": "\#(foreignURL)", "is_audio": "yes"}"#,
                #"{"type": "session_ended", "message": "fake"}"#, #"{"type": "connection_established"}"#,
            ]
            for frame in bad {
                try await visitor.sendText(frame)
                let answer = try await visitor.next(type: "error")
                #expect(answer["type"] as? String == "error", "\(frame) → \(answer)")
                #expect((answer["message"] as? String)?.isEmpty == false)
            }
            try await visitor.send(["type": "text", "content": "still here"])
            #expect(try await visitor.next(type: "text")["content"] as? String == "still here")
            _ = try await watcher.next(type: "text")
            // The limit counts characters, not bytes; surrounding space (here a tab and a no-break space) is trimmed.
            let fifty = String(repeating: "é", count: 49) + "👋🏽"
            try await visitor.send(["type": "text", "content": "\t\u{00A0}" + fifty + "\n"])
            #expect(try await visitor.next(type: "text")["content"] as? String == fifty)
            #expect(!watcher.received.contains { $0["type"] as? String == "error" })
            let history = try await client.history(chat.id, token: chat.token)
            #expect((history.json["data"] as? [JSON])?.count == 2)
            await visitor.close(); await watcher.close()
        }
    }

    @Test func textWithANulCharacterIsRefusedBeforeAnythingIsBroadcastOrStored() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let visitor = try await client.joined(chat)
            let watcher = try await client.joined(chat, token: try await client.agentToken(business.id))
            try await visitor.sendText(#"{"type": "text", "content": "visible\u0000hidden part"}"#)
            #expect(try await visitor.next(type: "error")["message"] as? String == "Invalid message: the NUL character (U+0000) is not allowed.")
            try await visitor.sendText(#"{"type": "text", "content": "ok", "client_id": "a\u0000b"}"#)
            _ = try await visitor.next(type: "error")
            try await visitor.send(["type": "text", "content": "after"])
            #expect(try await watcher.next(type: "text")["content"] as? String == "after")
            // Nothing of the refused ones reached the other socket, or the history.
            #expect(watcher.received.filter { $0["type"] as? String == "text" }.count == 1)
            let history = try await client.history(chat.id, token: chat.token)
            #expect((history.json["data"] as? [JSON])?.count == 1)
            // Over HTTP: a 400 on the field, never a 500 (PostgreSQL would refuse the byte).
            let admin = try await client.adminToken()
            let reply = try await client.post("/admin/businesses/", token: admin, json: ["name": "Shop\u{0}Evil"])
            #expect(reply.status == 400)
            #expect((reply.json["errors"] as? JSON)?["name"] != nil)
            await visitor.close(); await watcher.close()
        }
    }

    @Test func aFrameOver64KiBCloses1009() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let socket = try await client.joined(chat)
            let content = String(repeating: "a", count: 70 * 1024)
            try await socket.sendText(#"{"type":"text","content":"\#(content)"}"#)
            #expect(try await socket.closed().code == 1009)
            let survivor = try await client.joined(chat)
            try await survivor.send(["type": "text", "content": "ok"])
            _ = try await survivor.next(type: "text")
            #expect((try await client.history(chat.id, token: chat.token).json["data"] as? [JSON])?.count == 1)
            await survivor.close()
        }
    }

    @Test func aReassembledMessageOver64KiBCloses1009() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let socket = try await client.joined(chat)
            let piece = [UInt8](repeating: 0x61, count: 30 * 1024)
            try await socket.sendFrame(Array(#"{"type":"text","content":""#.utf8), opcode: .text, fin: false)
            // The server closes as soon as the total passes 64 KiB; later sends may find the socket closed.
            for _ in 0..<3 { try? await socket.sendFrame(piece, opcode: .continuation, fin: false) }
            try? await socket.sendFrame(Array(#""}"#.utf8), opcode: .continuation, fin: true)
            #expect(try await socket.closed().code == 1009)
        }
    }

    @Test func aFragmentedMessageUnderTheLimitIsAccepted() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let socket = try await client.joined(chat)
            let bytes = Array(#"{"type":"text","content":"héllo wörld"}"#.utf8)
            // Split inside the two-byte "é".
            try await socket.sendFrame(Array(bytes[..<28]), opcode: .text, fin: false)
            try await socket.sendFrame(Array(bytes[28...]), opcode: .continuation, fin: true)
            #expect(try await socket.next(type: "text")["content"] as? String == "héllo wörld")
            await socket.close()
        }
    }

    @Test func invalidUTF8Closes1007() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let socket = try await client.joined(chat)
            try await socket.sendFrame(Array(#"{"type":"text","content":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8), opcode: .text)
            #expect(try await socket.closed().code == 1007)
        }
    }

    @Test func aBinaryFrameCloses1003() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let socket = try await client.joined(chat)
            try await socket.sendFrame([1, 2, 3], opcode: .binary)
            #expect(try await socket.closed().code == 1003)
        }
    }

    @Test(arguments: [("unmasked", false, UInt8(0)), ("RSV1", true, UInt8(4)), ("RSV3", true, UInt8(1))])
    func anUnmaskedFrameOrOneWithRSVBitsCloses1002(_ name: String, masked: Bool, rsv: UInt8) async throws {
        try await withServer { server, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let raw = try await RawSocket.open(port: server.port, path: "/ws/visitor-chat/?session_id=\(chat.id)", token: chat.token)
            try await raw.send(Array(#"{"type":"text","content":"hi"}"#.utf8), masked: masked, rsv: rsv)
            #expect(try await raw.closedCode() == 1002, "\(name)")
            // Nothing was stored from that frame.
            #expect((try await client.history(chat.id, token: chat.token).json["data"] as? [JSON])?.isEmpty == true)
        }
    }

    /// RFC 6455 §7.4: the close is answered with the client's code when an endpoint may send it,
    /// 1000 when it gave none, 1002 otherwise (reserved, or a 1-byte payload), 1007 for a reason
    /// that is not UTF-8.
    @Test(arguments: [
        ([UInt8](), 1000), ([0x0F, 0xA0], 4000), ([0x03, 0xE8], 1000), ([0x0B, 0xB8], 3000), ([0x03], 1002),
        ([0x00, 0x00], 1002), ([0x03, 0xE7], 1002), ([0x03, 0xED], 1002), ([0x03, 0xEE], 1002), ([0x03, 0xF7], 1002),
        ([0x13, 0x88], 1002), ([0x03, 0xE8, 0xC3, 0x28], 1007),
    ])
    func aClientsCloseIsAnsweredWithAValidCode(_ payload: [UInt8], answer: Int) async throws {
        try await withServer { server, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let raw = try await RawSocket.open(port: server.port, path: "/ws/visitor-chat/?session_id=\(chat.id)", token: chat.token)
            try await raw.send(payload, opcode: 0x8)
            #expect(try await raw.closedCode() == answer)
        }
    }

    @Test func aDeeplyNestedFrameIsRefusedAtOnceAndOthersChatOn() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let other = try await client.startChat(business)
            let nester = try await client.joined(chat)
            let talker = try await client.joined(other)
            let nested = #"{"type":"text","content":"x","extra":"# + String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000) + "}"
            for _ in 0..<5 { try await nester.sendText(nested) }
            for _ in 0..<5 {
                #expect(try await nester.next(type: "error")["message"] as? String == "Invalid message: expected a JSON object.")
            }
            try await talker.send(["type": "text", "content": "still here"])
            #expect(try await talker.next(type: "text")["content"] as? String == "still here")
            // Nesting within the bound is read (and the extra field ignored).
            try await nester.sendText(#"{"type":"text","content":"ok","extra":[[{"a":[1]}]]}"#)
            #expect(try await nester.next(type: "text")["content"] as? String == "ok")
        }
    }

    @Test func aClientOverItsMessageRateCloses1008() async throws {
        try await withServer({ $0.socketMessageBurst = 5; $0.socketMessagesPerSecond = 1 }) { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let socket = try await client.joined(chat)
            let started = ContinuousClock.now
            for index in 0..<20 { try? await socket.send(["type": "text", "content": "m\(index)"]) }
            #expect(try await socket.closed().code == 1008)
            // The burst of 5, and one more per second the sending took (a whole suite on two cores
            // can stretch the 20 sends past a second).
            let refilled = Int((ContinuousClock.now - started) / .seconds(1))
            let stored = try await eventually { try await client.history(chat.id, token: chat.token).json["data"] as? [JSON] ?? [] }
                until: { $0.count >= 5 }
            #expect(stored.count >= 5 && stored.count <= 5 + refilled, "\(stored.count) stored, \(refilled) s of refill")
        }
    }

    @Test func reconnectingWithLastSeqGetsWhatWasMissed() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let agent = try await client.joined(chat, token: try await client.agentToken(business.id))
            for index in 1...5 { try await agent.send(["type": "text", "content": "m\(index)"]) }
            _ = try await agent.next(type: "text", where: { $0["content"] as? String == "m5" })
            let visitor = try await client.joined(chat, query: "last_seq=2")
            var seqs: [Int] = []
            for _ in 0..<3 { seqs.append(try await visitor.next(type: "text")["seq"] as? Int ?? -1) }
            #expect(seqs == [3, 4, 5])
            try await agent.send(["type": "text", "content": "m6"])
            #expect(try await visitor.next(type: "text")["seq"] as? Int == 6)
            // Without last_seq nothing old is pushed.
            let plain = try await client.joined(chat)
            try await agent.send(["type": "text", "content": "m7"])
            #expect(try await plain.next(type: "text")["content"] as? String == "m7")
            // A last_seq past the session's last message hides nothing that comes after.
            let ahead = try await client.joined(chat, query: "last_seq=1000")
            try await agent.send(["type": "text", "content": "m8"])
            let next = try await ahead.next(type: "text")
            #expect(next["content"] as? String == "m8" && next["seq"] as? Int == 8)
            await visitor.close(); await agent.close(); await plain.close(); await ahead.close()
        }
    }

    @Test func lastSeqOnAnEndedSessionSendsTheMissedMessagesThenSessionEnded() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let visitor = try await client.joined(chat)
            for index in 1...3 { try await visitor.send(["type": "text", "content": "m\(index)"]) }
            _ = try await visitor.next(type: "text", where: { $0["content"] as? String == "m3" })
            await visitor.close()
            _ = try await client.post("/chat/sessions/\(chat.id)/end/", token: try await client.agentToken(business.id))
            let again = try await client.socket(session: chat.id, token: chat.token, query: "last_seq=1")
            let (code, frames) = try await again.closed()
            #expect(code == 4006)
            #expect(frames.map { $0["type"] as? String } == ["text", "text", "session_ended"])
            #expect(frames.first?["seq"] as? Int == 2)
        }
    }
}
