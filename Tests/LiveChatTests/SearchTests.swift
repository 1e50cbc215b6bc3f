import Foundation
import Testing
@testable import LiveChat

/// `GET /chat/search/` (CONTRACT.md, "Search"), on the store the suite runs on.
@Suite("Search", .timeLimit(.minutes(3)))
struct SearchTests {
    /// The search's results once the indexer has caught up with `count` of them.
    private func found(_ client: TestClient, _ query: String, token: String, count: Int) async throws -> [JSON] {
        let path = "/chat/search/?q=\(query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query)"
        let reply = try await eventually({ try await client.get(path, token: token) },
                                         until: { ($0.json["data"] as? [JSON])?.count == count })
        #expect(reply.status == 200 && reply.message == "Search results fetched successfully")
        return reply.json["data"] as? [JSON] ?? []
    }

    @Test func everyWordMatchesWholeOrAsAPrefixWhateverTheCaseAndAccents() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let agentToken = try await client.agentToken(business.id)
            let chat = try await client.startChat(business)
            let visitor = try await client.joined(chat)
            let agent = try await client.joined(chat, token: agentToken)
            try await visitor.send(["type": "text", "content": "Ma commande n°42 est arrivée abîmée"])
            try await visitor.send(["type": "text", "content": "Hello <b>world</b> & co"])
            try await agent.send(["type": "note", "content": "Refund the CAFÉ order"])
            _ = try await agent.next(type: "note")
            // Another business's message with the same words is never found.
            let other = try await client.makeBusiness()
            let otherToken = try await client.agentToken(other.id)
            let stranger = try await client.startChat(other)
            let strangerSocket = try await client.joined(stranger)
            try await strangerSocket.send(["type": "text", "content": "commande arrivée"])
            _ = try await strangerSocket.next(type: "text")

            let accents = try await found(client, "ARRIVEE", token: agentToken, count: 1)
            #expect(accents.first?["session_id"] as? String == chat.id)
            #expect(accents.first?["snippet"] as? String == "Ma commande n°42 est <mark>arrivée</mark> abîmée")
            #expect(accents.first?["sender_type"] as? String == "visitor" && accents.first?["private"] as? Bool == false)
            #expect(isISOMillis(accents.first?["timestamp"]))
            let prefix = try await found(client, "abim comm", token: agentToken, count: 1)
            #expect(prefix.first?["snippet"] as? String == "Ma <mark>commande</mark> n°42 est arrivée <mark>abîmée</mark>")
            _ = try await found(client, "commande hello", token: agentToken, count: 0)  // every word must match
            _ = try await found(client, "mande", token: agentToken, count: 0)  // a word's middle is not a prefix
            let note = try await found(client, "cafe", token: agentToken, count: 1)
            #expect(note.first?["private"] as? Bool == true && note.first?["sender_type"] as? String == "agent")
            #expect(note.first?["snippet"] as? String == "Refund the <mark>CAFÉ</mark> order")
            let escaped = try await found(client, "world", token: agentToken, count: 1)
            #expect(escaped.first?["snippet"] as? String == "Hello &lt;b&gt;<mark>world</mark>&lt;/b&gt; &amp; co")
            let theirs = try await found(client, "commande", token: otherToken, count: 1)
            #expect(theirs.first?["session_id"] as? String == stranger.id)
            for socket in [visitor, agent, strangerSocket] { await socket.close() }
        }
    }

    @Test func resultsComeNewestFirstPageByPage() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let agentToken = try await client.agentToken(business.id)
            let chat = try await client.startChat(business)
            let visitor = try await client.joined(chat)
            var ids: [String] = []
            for n in 1...5 {
                try await visitor.send(["type": "text", "content": "parcel number \(n)"])
                ids.append(try await visitor.next(type: "text")["id"] as? String ?? "")
            }
            // A long message: the snippet is the part around the match.
            try await visitor.send(["type": "text", "content": String(repeating: "filler words here ", count: 30) + "needle " +
                                    String(repeating: "and more after ", count: 30)])
            _ = try await found(client, "needle", token: agentToken, count: 1)
            let long = try await client.get("/chat/search/?q=needle", token: agentToken)
            let snippet = (long.json["data"] as? [JSON])?.first?["snippet"] as? String ?? ""
            #expect(snippet.hasPrefix("…") && snippet.hasSuffix("…") && snippet.contains("<mark>needle</mark>"), "\(snippet)")
            #expect(snippet.count < 200)

            _ = try await found(client, "parcel", token: agentToken, count: 5)
            var seen: [String] = []
            var cursor: String?
            repeat {
                let reply = try await client.get("/chat/search/?q=parcel&limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), token: agentToken)
                #expect(reply.status == 200)
                seen += (reply.json["data"] as? [JSON] ?? []).compactMap { $0["message_id"] as? String }
                cursor = reply.json["next_cursor"] as? String
            } while cursor != nil && seen.count < 10
            #expect(seen == ids.reversed())
            await visitor.close()
        }
    }

    @Test func badQueriesAndCallersAreRefused() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let agentToken = try await client.agentToken(business.id)
            for (query, field) in [
                ("", "q"), ("q=", "q"), ("q=%20%20", "q"), ("q=!!!%20--", "q"), ("q=" + String(repeating: "a", count: 501), "q"),
                ("q=" + (1...11).map { "w\($0)" }.joined(separator: "+"), "q"), ("q=a&limit=0", "limit"), ("q=a&limit=101", "limit"),
                ("q=a&limit=ten", "limit"), ("q=a&cursor=abc", "cursor"), ("q=a&cursor=-4", "cursor"),
            ] {
                let reply = try await client.get("/chat/search/?\(query)", token: agentToken)
                #expect(reply.status == 400, "\(query)")
                #expect((reply.json["errors"] as? JSON)?[field] != nil, "\(query): \(reply.text)")
            }
            let chat = try await client.startChat(business)
            #expect(try await client.get("/chat/search/?q=a", token: chat.token).status == 403)
            #expect(try await client.get("/chat/search/?q=a").status == 401)
            #expect(try await client.get("/chat/search/?q=a", token: "not.a.token").status == 401)
            let platform = try await client.adminToken()
            #expect(try await client.get("/chat/search/?q=a", token: platform).status == 400)
            #expect(try await client.get("/chat/search/?q=a&business=\(UUID())", token: platform).status == 404)
            #expect(try await client.get("/chat/search/?q=a&business=\(business.id)", token: platform).status == 200)
        }
    }

    @Test func theIndexGoesOnAcrossARestartWithoutRepeats() async throws {
        try await withDataFolder { config in
            var server = try await TestServer.start(config)
            var client = TestClient(server: server)
            let business = try await client.makeBusiness()
            let agentToken = try await client.agentToken(business.id)
            let chat = try await client.startChat(business)
            var visitor = try await client.joined(chat)
            try await visitor.send(["type": "text", "content": "before the restart"])
            _ = try await visitor.next(type: "text")
            _ = try await found(client, "restart", token: agentToken, count: 1)
            await visitor.close()
            try await server.stop()

            server = try await TestServer.start(config)
            client = TestClient(server: server)
            visitor = try await client.joined(chat)
            try await visitor.send(["type": "text", "content": "after the restart"])
            _ = try await visitor.next(type: "text", where: { $0["content"] as? String == "after the restart" })
            let both = try await found(client, "restart", token: agentToken, count: 2)
            #expect(both.compactMap { $0["snippet"] as? String } == ["after the <mark>restart</mark>", "before the <mark>restart</mark>"])
            await visitor.close()
            try await server.stop()
        }
    }
}
