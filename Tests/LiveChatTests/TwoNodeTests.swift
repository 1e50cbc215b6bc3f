import AsyncHTTPClient
import Foundation
import Testing
@testable import ChatDomain
@testable import LiveChat

/// Two nodes on one PostgreSQL database (the PostgreSQL run of the suite): a visitor on node A and
/// an agent on node B chat as if on one server, through LISTEN/NOTIFY.
@Suite("Two nodes on one PostgreSQL", .enabled(if: TestDatabase.isPostgres, "needs PostgreSQL: the nodes share its database and its LISTEN/NOTIFY"), .timeLimit(.minutes(3)))
struct TwoNodeTests {
    /// Two servers on the same data (one database), each with a client.
    private func withTwoNodes(_ body: (TestClient, TestClient) async throws -> Void) async throws {
        try await withTwoNodes { a, b, _ in try await body(a, b) }
    }

    /// `secondNode` adjusts node B's settings (node A has `config`).
    private func withTwoNodes(_ adjust: (inout AppConfig) -> Void = { _ in }, secondNode: (inout AppConfig) -> Void = { _ in },
                              _ body: (TestClient, TestClient, AppConfig) async throws -> Void) async throws {
        try await withDataFolder { folder in
            var config = folder
            adjust(&config)
            var second = config
            secondNode(&second)
            let a = try await TestServer.start(config)
            let b: TestServer
            do {
                b = try await TestServer.start(second)
            } catch {
                try? await a.stop()
                throw error
            }
            do {
                try await body(TestClient(server: a), TestClient(server: b), config)
            } catch {
                try? await a.stop()
                try? await b.stop()
                throw error
            }
            try await a.stop()
            try await b.stop()
        }
    }

    @Test func aVisitorOnOneNodeAndAnAgentOnTheOtherSeeTheSameMessagesInTheSameOrder() async throws {
        try await withTwoNodes { nodeA, nodeB in
            let business = try await nodeA.makeBusiness()
            let chat = try await nodeA.startChat(business)
            let visitor = try await nodeA.joined(chat)
            let agent = try await nodeB.joined(chat, token: try await nodeB.agentToken(business.id))
            // Both directions, interleaved, with multi-byte text of the longest length allowed.
            let long = String(repeating: "é😀字", count: 1666) + "ab"
            try await visitor.send(["type": "text", "content": "v1"])
            try await agent.send(["type": "text", "content": "a1"])
            try await visitor.send(["type": "text", "content": long])
            try await agent.send(["type": "text", "content": "a2"])
            try await visitor.send(["type": "text", "content": "last"])
            for socket in [visitor, agent] {
                var seen: [(Int, String)] = []
                while seen.count < 5 {
                    let message = try await socket.next(type: "text", timeout: 10)
                    seen.append((message["seq"] as? Int ?? 0, message["content"] as? String ?? ""))
                }
                #expect(seen.map(\.0) == [1, 2, 3, 4, 5])
                #expect(Set(seen.map(\.1)) == ["v1", "a1", long, "a2", "last"])
                #expect(seen.first { $0.1.count == 5000 }?.1 == long)
            }
            let visitorOrder = visitor.received.filter { $0["type"] as? String == "text" }.compactMap { $0["content"] as? String }
            let agentOrder = agent.received.filter { $0["type"] as? String == "text" }.compactMap { $0["content"] as? String }
            #expect(visitorOrder == agentOrder)
            await visitor.close(); await agent.close()
        }
    }

    @Test func endingOnOneNodeClosesTheOtherNodesSocketsWith4006() async throws {
        try await withTwoNodes { nodeA, nodeB in
            let business = try await nodeA.makeBusiness()
            let chat = try await nodeA.startChat(business)
            let visitor = try await nodeA.joined(chat)
            let agentToken = try await nodeB.agentToken(business.id)
            let agent = try await nodeB.joined(chat, token: agentToken)
            try await visitor.send(["type": "typing", "is_typing": true])
            let typing = try await agent.next(type: "typing", timeout: 10)
            #expect(typing["sender_id"] as? String == chat.visitorID)
            #expect(try await nodeB.post("/chat/sessions/\(chat.id)/end/", token: agentToken).status == 200)
            let ended = try await visitor.next(type: "session_ended", timeout: 10)
            #expect(ended["session_id"] as? String == chat.id)
            let (code, _) = try await visitor.closed(timeout: 10)
            #expect(code == 4006)
            await agent.close()
        }
    }

    @Test func aLogoutOrDeactivationOnOneNodeClosesTheSocketsOnTheOther() async throws {
        try await withTwoNodes { nodeA, nodeB in
            let business = try await nodeA.makeBusiness()
            let chat = try await nodeA.startChat(business)
            let (_, token) = try await nodeA.loginAgent(business)
            let onB = try await nodeB.joined(chat, token: token)
            #expect(try await nodeA.post("/auth/logout/", token: token).status == 200)
            #expect(try await onB.closed(timeout: 10).code == 4003)
            #expect(try await nodeB.get("/chat/sessions/", token: token).status == 401)

            let (id, second) = try await nodeA.loginAgent(business)
            let (feedOnB, _) = try await nodeB.feed(token: second)
            let off = try await nodeA.request(.PATCH, "/admin/businesses/\(business.id)/agents/\(id)/", token: try await nodeA.adminToken(),
                                              json: ["active": false])
            #expect(off.status == 200)
            #expect(try await feedOnB.closed(timeout: 10).code == 4003)

            // A business key revoked on A: B's socket opened with a token it signed closes too.
            let admin = try await nodeA.adminToken()
            let key = try await nodeA.post("/admin/businesses/\(business.id)/keys/", token: admin)
            let kid = try #require(key.data["kid"] as? String)
            let now = Int(Date().timeIntervalSince1970)
            let signed = try CustomerToken.raw(claims: ["sub": UUID().uuidString.lowercased(), "role": "agent", "business": business.id,
                                                        "iat": now, "exp": now + 600],
                                               secret: try #require(key.data["secret"] as? String), header: ["kid": kid])
            let keyed = try await nodeB.joined(chat, token: signed)
            #expect(try await nodeA.request(.DELETE, "/admin/businesses/\(business.id)/keys/\(kid)/", token: admin).status == 200)
            #expect(try await keyed.closed(timeout: 10).code == 4003)
        }
    }

    @Test func theAgentFeedOfOneNodeSeesSessionsAndMessagesOfTheOther() async throws {
        try await withTwoNodes { nodeA, nodeB in
            let business = try await nodeA.makeBusiness()
            let (feed, _) = try await nodeB.feed(token: try await nodeB.agentToken(business.id))
            let chat = try await nodeA.startChat(business)
            let started = try await feed.next(type: "session_started", timeout: 10)
            #expect(started["session_id"] as? String == chat.id)
            let visitor = try await nodeA.joined(chat)
            try await visitor.send(["type": "text", "content": "hello from A"])
            let message = try await feed.next(type: "message", timeout: 10)
            #expect((message["message"] as? JSON)?["content"] as? String == "hello from A")
            #expect(message["cursor"] is Int)
            await visitor.close(); await feed.close()
        }
    }

    @Test func startsOfOneVisitorOnBothNodesAtOnceMakeOneSessionAnnouncedOnce() async throws {
        try await withTwoNodes { nodeA, nodeB in
            let business = try await nodeA.makeBusiness()
            let (feed, _) = try await nodeA.feed(token: try await nodeA.agentToken(business.id))
            let first = try await nodeA.startChat(business)
            _ = try await nodeA.post("/chat/sessions/\(first.id)/end/", token: first.token)
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<40 {
                    let node = index % 2 == 0 ? nodeA : nodeB
                    group.addTask { try await node.startChat(business, token: first.token).id }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
            #expect(!ids.contains(first.id))
            // A later start marks the end of what the race announced: one session_started for it.
            let marker = try await nodeB.startChat(business)
            var announced: [String] = []
            while true {
                let event = try await feed.next(type: "session_started", timeout: 10)
                guard let id = event["session_id"] as? String, id != marker.id else { break }
                announced.append(id)
            }
            #expect(announced == [first.id] + Array(ids))
            await feed.close()
        }
    }

    @Test func fiftySessionsAtOnceAcrossNodesLoseNothing() async throws {
        try await withTwoNodes { nodeA, nodeB in
            let business = try await nodeA.makeBusiness()
            let agentToken = try await nodeB.agentToken(business.id)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        let chat = try await nodeA.startChat(business)
                        let visitor = try await nodeA.joined(chat)
                        let agent = try await nodeB.joined(chat, token: agentToken)
                        for n in 0..<10 { try await visitor.send(["type": "text", "content": "s\(index)-m\(n)"]) }
                        var contents: [String] = []
                        var seqs: [Int] = []
                        while contents.count < 10 {
                            // Bounded, with room for the whole suite running beside these 100 sockets on two cores.
                            let message = try await agent.next(type: "text", timeout: 45)
                            contents.append(message["content"] as? String ?? "")
                            seqs.append(message["seq"] as? Int ?? 0)
                        }
                        #expect(contents == (0..<10).map { "s\(index)-m\($0)" })
                        #expect(seqs == Array(1...10))
                        await visitor.close(); await agent.close()
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test func theListenersKilledWhileMessagesFlowEveryMessageStillArrivesOnce() async throws {
        try await withTwoNodes { nodeA, nodeB, config in
            let business = try await nodeA.makeBusiness()
            let chat = try await nodeA.startChat(business)
            let visitor = try await nodeA.joined(chat)
            let agent = try await nodeB.joined(chat, token: try await nodeB.agentToken(business.id))
            let total = 60
            for n in 0..<total {
                if n == 20 {
                    let killed = try await TestDatabase.terminateListeners(of: try #require(config.databaseURL))
                    #expect(killed >= 2)
                }
                try await visitor.send(["type": "text", "content": "m\(n)"])
            }
            var seqs: [Int] = []
            while seqs.count < total {
                do {
                    seqs.append(try await agent.next(type: "text", timeout: 20)["seq"] as? Int ?? 0)
                } catch {
                    throw TestFailure("the agent got \(seqs) and then nothing: \(error)")
                }
            }
            #expect(seqs == Array(1...total))
            // Nothing more comes: no message twice.
            try await visitor.send(["type": "typing", "is_typing": false])
            _ = try await agent.next(type: "typing", timeout: 20)
            #expect(agent.received.filter { $0["type"] as? String == "text" }.count == total)
            let health = try await nodeB.get("/health")
            #expect(health.status == 200)
            await visitor.close(); await agent.close()
        }
    }

    @Test func bothNodesFeedsGetEveryEventOnceInCursorOrderThroughAListenerKill() async throws {
        try await withTwoNodes { nodeA, nodeB, config in
            let business = try await nodeA.makeBusiness()
            let token = try await nodeA.agentToken(business.id)
            let (feedA, _) = try await nodeA.feed(token: token)
            let (feedB, _) = try await nodeB.feed(token: token)
            let chatA = try await nodeA.startChat(business)
            let chatB = try await nodeB.startChat(business)
            let visitorA = try await nodeA.joined(chatA)
            let visitorB = try await nodeB.joined(chatB)
            let total = 40
            for n in 0..<total {
                if n == 15 {
                    let killed = try await TestDatabase.terminateListeners(of: try #require(config.databaseURL))
                    #expect(killed >= 2)
                }
                // Both nodes store events of the business at once: each feed hears one node's own at
                // once and the other's through the bus.
                try await (n.isMultiple(of: 2) ? visitorA : visitorB).send(["type": "text", "content": "m\(n)"])
            }
            // Every message stored (each sender's own copy says so), then a last event after all
            // of them: a feed in cursor order has everything before it then. (Without the wait,
            // the marker's start-session could be numbered before the last messages.)
            _ = try await visitorA.next(type: "text", timeout: 30, where: { $0["content"] as? String == "m\(total - 2)" })
            _ = try await visitorB.next(type: "text", timeout: 30, where: { $0["content"] as? String == "m\(total - 1)" })
            let marker = try await nodeB.startChat(business)
            for feed in [feedA, feedB] {
                do {
                    _ = try await feed.next(type: "session_started", timeout: 30, where: { $0["session_id"] as? String == marker.id })
                } catch {
                    throw TestFailure("the feed got \(feed.received.count) frames and then nothing: \(error)")
                }
            }
            func events(_ feed: TestSocket) -> [(cursor: Int, key: String)] {
                feed.received.dropFirst().compactMap { frame in
                    guard let cursor = frame["cursor"] as? Int, let type = frame["type"] as? String else { return nil }
                    let content = (frame["message"] as? JSON)?["content"] as? String ?? ""
                    return (cursor, "\(type) \(frame["session_id"] as? String ?? "") \(content)")
                }
            }
            let seenA = events(feedA)
            let seenB = events(feedB)
            // Every message was accepted (an error frame here says why a feed lacks one).
            for visitor in [visitorA, visitorB] {
                let errors = visitor.received.filter { $0["type"] as? String == "error" }
                #expect(errors.isEmpty, "\(errors)")
            }
            for seen in [seenA, seenB] {
                let cursors = seen.map(\.cursor)
                // Dense and increasing: no event twice, none skipped, none out of order.
                #expect(cursors == Array((cursors.first ?? 0)..<((cursors.first ?? 0) + cursors.count)))
                let contents = seen.filter { $0.key.hasPrefix("message ") }.map { $0.key.split(separator: " ").last.map(String.init) ?? "" }
                #expect(Set(contents) == Set((0..<total).map { "m\($0)" }) && contents.count == total)
            }
            // The same event under the same cursor on both nodes.
            let byCursor = Dictionary(seenA.map { ($0.cursor, $0.key) }, uniquingKeysWith: { first, _ in first })
            #expect(seenB.allSatisfy { byCursor[$0.cursor] == nil || byCursor[$0.cursor] == $0.key })
            #expect(seenB.filter { byCursor[$0.cursor] != nil }.count >= total + 3)
            let health = try await nodeA.get("/health")
            #expect(health.status == 200)
            await visitorA.close(); await visitorB.close(); await feedA.close(); await feedB.close()
        }
    }

    @Test func twoNodesStartingAtOnceOnAnEmptyDatabaseBothComeUp() async throws {
        try await withDataFolder { config in
            async let first = TestServer.start(config)
            async let second = TestServer.start(config)
            let a: TestServer
            let b: TestServer
            do {
                (a, b) = try await (first, second)
            } catch {
                // One of them may have started: stop whichever did.
                try? await (try? await first)?.stop()
                try? await (try? await second)?.stop()
                throw error
            }
            let business = try await TestClient(server: a).makeBusiness()
            #expect(try await TestClient(server: b).startChat(business).id.isEmpty == false)
            try await a.stop()
            try await b.stop()
        }
    }

    @Test func aFileUploadedOnOneNodeIsServedByTheOtherChunkByChunk() async throws {
        // Nodes with data folders of their own: the bytes must come from the database.
        try await withTwoNodes(secondNode: { $0.dataDirectory.appendPathComponent("node-b", isDirectory: true) }) { nodeA, nodeB, _ in
            let business = try await nodeA.makeBusiness()
            let chat = try await nodeA.startChat(business)
            // Three chunks and a bit, every byte value.
            var content = Samples.pdf
            let noise: [UInt8] = (0..<(3 * 256 * 1024 + 1000)).map { (index: Int) -> UInt8 in UInt8(truncatingIfNeeded: index &* 7) }
            content.append(contentsOf: noise)
            let upload = try await nodeA.upload(token: chat.token, content: content, fileName: "report.pdf", contentType: "application/pdf")
            #expect(upload.status == 201)
            let url = try #require(upload.data["file"] as? String)
            let path = try #require(URLComponents(string: url)?.path)
            let fetched = try await nodeB.get(path)
            #expect(fetched.status == 200)
            #expect(fetched.body == content)
            #expect(fetched.headers.first(name: "Content-Type") == "application/pdf")
            #expect(try await nodeB.get(path.replacingOccurrences(of: ".pdf", with: ".png")).status == 404)
        }
    }

    @Test func failedLoginsOnOneNodeCountOnTheOther() async throws {
        try await withTwoNodes { nodeA, nodeB in
            let business = try await nodeA.makeBusiness()
            _ = try await nodeA.loginAgent(business, email: "eve@shop.example")
            for node in [nodeA, nodeB, nodeA, nodeB, nodeA] {
                #expect(try await node.post("/auth/login/", json: ["email": "eve@shop.example", "password": "wrong-password"]).status == 401)
            }
            let throttled = try await nodeB.post("/auth/login/", json: ["email": "eve@shop.example", "password": "secret-password"])
            #expect(throttled.status == 429)
            #expect(Int(throttled.headers.first(name: "Retry-After") ?? "") ?? 0 > 0)
        }
    }

    @Test func presenceAndAutoAssignmentSeeTheAgentsOfEveryNode() async throws {
        try await withTwoNodes({ $0.presenceGraceSeconds = 0 }) { nodeA, nodeB, _ in
            let business = try await nodeA.makeBusiness(["auto_assign": true])
            let (ann, annToken) = try await nodeA.loginAgent(business, department: business.department)
            let (bob, bobToken) = try await nodeB.loginAgent(business, department: business.department)
            let (watcher, _) = try await nodeA.feed(token: annToken)  // ann online on A
            let (bobFeed, _) = try await nodeB.feed(token: bobToken)  // bob online on B
            _ = try await watcher.next(type: "agent_presence", timeout: 10, where: { $0["agent_id"] as? String == bob && $0["online"] as? Bool == true })
            // Node A sees bob online, node B sees ann online.
            let onA = try await nodeA.get("/chat/agents/", token: annToken).json["data"] as? [JSON] ?? []
            #expect(onA.first { $0["id"] as? String == bob }?["online"] as? Bool == true)
            let onB = try await nodeB.get("/chat/agents/", token: bobToken).json["data"] as? [JSON] ?? []
            #expect(onB.first { $0["id"] as? String == ann }?["online"] as? Bool == true)
            // Chats started on node A are dealt to both, in turn.
            var assigned: [String] = []
            for _ in 0..<4 {
                let chat = try await nodeA.startChat(business, extra: ["department": business.department])
                let event = try await watcher.next(type: "session_assigned", timeout: 10, where: { $0["session_id"] as? String == chat.id })
                assigned.append(event["agent_id"] as? String ?? "")
            }
            #expect(Set(assigned) == [ann, bob])
            #expect(assigned[0] != assigned[1] && assigned[1] != assigned[2])
            // Bob leaves node B: node A's feed hears him go offline, and A's list says so.
            await bobFeed.close()
            _ = try await watcher.next(type: "agent_presence", timeout: 10, where: { $0["agent_id"] as? String == bob && $0["online"] as? Bool == false })
            let after = try await nodeA.get("/chat/agents/", token: annToken).json["data"] as? [JSON] ?? []
            #expect(after.first { $0["id"] as? String == bob }?["online"] as? Bool == false)
            await watcher.close()
        }
    }

    @Test func bothNodesIndexAndDeliverWebhooksEachEventOnce() async throws {
        let receiver = try await WebhookReceiver { _, _ in 200 }
        try await withTwoNodes({ $0.webhookAllowPrivate = true }) { nodeA, nodeB, _ in
            let business = try await nodeA.makeBusiness()
            let admin = try await nodeA.loginAgent(business, admin: true)
            let hook = try await nodeA.post("/chat/webhooks/", token: admin.token, json: ["url": receiver.url, "events": ["message"]])
            #expect(hook.status == 201)
            // Messages stored by both nodes' writers.
            let chat = try await nodeB.startChat(business)
            let visitor = try await nodeB.joined(chat)
            let agent = try await nodeA.joined(chat, token: admin.token)
            for n in 1...10 {
                try await (n % 2 == 0 ? agent : visitor).send(["type": "text", "content": "lighthouse \(n)"])
            }
            for _ in 1...10 { _ = try await visitor.next(type: "text") }
            let delivered = try await eventually(timeout: 30, { receiver.all }, until: { $0.count >= 10 })
            let ids = delivered.compactMap(\.id)
            #expect(Set(ids).count == 10)
            let contents = delivered.compactMap { (($0.json["data"] as? JSON)?["message"] as? JSON)?["content"] as? String }
            #expect(Set(contents) == Set((1...10).map { "lighthouse \($0)" }))
            // Found from either node, each message once.
            for node in [nodeA, nodeB] {
                let found = try await eventually({ try await node.get("/chat/search/?q=lighthouse&limit=100", token: admin.token) },
                                                 until: { ($0.json["data"] as? [JSON])?.count == 10 })
                #expect(Set((found.json["data"] as? [JSON] ?? []).compactMap { $0["message_id"] as? String }).count == 10)
            }
            // Each try is logged once its answer is in: the last ones a moment after the receiver answered.
            let log = try await eventually({ try await nodeB.get("/chat/webhooks/\(hook.data["id"] as? String ?? "")/deliveries/", token: admin.token) },
                                           until: { ($0.json["data"] as? [JSON])?.count == 10 })
            #expect((log.json["data"] as? [JSON] ?? []).allSatisfy { $0["status_code"] as? Int == 200 })
            #expect(receiver.all.count == 10)
            for socket in [visitor, agent] { await socket.close() }
        }
        await receiver.stop()
    }

    @Test func aNodeKilledWithItsAgentsOnlineTakesThemOfflineOnTheOthers() async throws {
        try await withDataFolder { folder in
            var config = folder
            config.presenceHeartbeatSeconds = 1  // a dead node's rows are swept after 3 s
            config.presenceGraceSeconds = 0
            let a = try await TestServer.start(config)
            let b = try await NodeProcess.start(config: config)
            do {
                let nodeA = TestClient(server: a)
                let business = try await nodeA.makeBusiness()
                let (_, annToken) = try await nodeA.loginAgent(business)
                let (bob, bobToken) = try await nodeA.loginAgent(business, email: "bob@shop.example")
                let (watcher, _) = try await nodeA.feed(token: annToken)
                let bobFeed = try await TestSocket.connect(port: b.port, path: "/ws/agent/", query: "", subprotocols: ["Bearer", bobToken])
                _ = try await bobFeed.next(type: "connection_established", timeout: 10)
                _ = try await watcher.next(type: "agent_presence", timeout: 10,
                                           where: { $0["agent_id"] as? String == bob && $0["online"] as? Bool == true })
                b.kill()  // SIGKILL: bob's node says nothing more, its rows stay behind
                let offline = try await watcher.next(type: "agent_presence", timeout: 20,
                                                     where: { $0["agent_id"] as? String == bob && $0["online"] as? Bool == false })
                #expect(offline["cursor"] is Int)
                let agents = try await nodeA.get("/chat/agents/", token: annToken).json["data"] as? [JSON] ?? []
                #expect(agents.first { $0["id"] as? String == bob }?["online"] as? Bool == false)
                await watcher.close()
                await bobFeed.close()
            } catch {
                b.kill()
                try? await a.stop()
                throw error
            }
            try await a.stop()
        }
    }

    @Test func whileTheListenerCannotReconnectHealthSays503AndWhatItMissedArrivesOnceAfter() async throws {
        try await withTwoNodes { nodeA, nodeB, config in
            let url = try #require(config.databaseURL)
            let business = try await nodeA.makeBusiness()
            let chat = try await nodeA.startChat(business)
            let visitor = try await nodeA.joined(chat)
            let agent = try await nodeB.joined(chat, token: try await nodeB.agentToken(business.id))
            try await visitor.send(["type": "text", "content": "before"])
            _ = try await agent.next(type: "text", timeout: 10)
            // No new connection to the database (the nodes keep the ones they hold), then the
            // listeners are cut: they cannot come back until it is allowed again.
            try await TestDatabase.allowConnections(to: url, false)
            do {
                #expect(try await TestDatabase.terminateListeners(of: url) >= 2)
                var health = try await nodeB.get("/health")
                let deadline = Date().addingTimeInterval(15)
                while health.status == 200, Date() < deadline { health = try await nodeB.get("/health") }
                #expect(health.status == 503)
                #expect(health.data["bus"] as? String == "reconnecting")
                #expect(health.data["status"] as? String == "unavailable")
                #expect(health.json["message"] as? String == "Not hearing the other nodes: the bus listener is reconnecting"
                        || health.data["database"] as? String == "unreachable")
                try await visitor.send(["type": "text", "content": "while the bus is down"])
                _ = try await visitor.next(type: "text", timeout: 10, where: { $0["content"] as? String == "while the bus is down" })
            } catch {
                try? await TestDatabase.allowConnections(to: url, true)
                throw error
            }
            try await TestDatabase.allowConnections(to: url, true)
            let missed = try await agent.next(type: "text", timeout: 20)
            #expect(missed["content"] as? String == "while the bus is down")
            #expect(missed["seq"] as? Int == 2)
            var health = try await nodeB.get("/health")
            let deadline = Date().addingTimeInterval(15)
            while health.status != 200, Date() < deadline { health = try await nodeB.get("/health") }
            #expect(health.data["bus"] as? String == "listening")
            // Live again, and nothing twice.
            try await visitor.send(["type": "text", "content": "after"])
            #expect(try await agent.next(type: "text", timeout: 10)["content"] as? String == "after")
            #expect(agent.received.filter { $0["type"] as? String == "text" }.count == 3)
            await visitor.close(); await agent.close()
        }
    }

    @Test func aNodeKilledMidChatLosesNothingItsVisitorReconnectsToTheOther() async throws {
        try await withDataFolder { config in
            let a = try await TestServer.start(config)
            let b = try await NodeProcess.start(config: config)
            do {
                let nodeA = TestClient(server: a)
                let business = try await nodeA.makeBusiness()
                let chat = try await nodeA.startChat(business)
                let agentToken = try await nodeA.agentToken(business.id)
                let agent = try await nodeA.joined(chat, token: agentToken)
                // The visitor on node B, a process of its own.
                let visitor = try await TestSocket.connect(port: b.port, path: "/ws/visitor-chat/", query: "session_id=\(chat.id)",
                                                           subprotocols: ["Bearer", chat.token])
                _ = try await visitor.next(type: "connection_established", timeout: 10)
                try await visitor.send(["type": "text", "content": "before"])
                _ = try await agent.next(type: "text", timeout: 10)
                try await agent.send(["type": "text", "content": "seen"])
                let seen = try await visitor.next(type: "text", timeout: 10, where: { $0["content"] as? String == "seen" })
                let lastSeq = try #require(seen["seq"] as? Int)
                b.kill()  // SIGKILL: no drain, no goodbye
                _ = try? await visitor.closed(timeout: 10)
                // Meanwhile the agent goes on writing on node A.
                for n in 0..<5 { try await agent.send(["type": "text", "content": "while away \(n)"]) }
                _ = try await agent.next(type: "text", timeout: 10, where: { $0["content"] as? String == "while away 4" })
                // The visitor comes back on node A with the last number it saw.
                let back = try await nodeA.joined(chat, query: "last_seq=\(lastSeq)")
                var missed: [String] = []
                while missed.count < 5 { missed.append(try await back.next(type: "text", timeout: 10)["content"] as? String ?? "") }
                #expect(missed == (0..<5).map { "while away \($0)" })
                try await back.send(["type": "text", "content": "back"])
                let echoed = try await agent.next(type: "text", timeout: 10, where: { $0["content"] as? String == "back" })
                #expect(echoed["seq"] as? Int == lastSeq + 6)
                await back.close(); await agent.close()
            } catch {
                b.kill()
                try? await a.stop()
                throw error
            }
            try await a.stop()
        }
    }

    /// `kill -TERM` on a node: its sockets drain (1001) while its bus still runs, so the other
    /// node's agent is told the visitor left; what the visitor sent before is stored; the node exits 0.
    @Test func aNodeStoppedWithSIGTERMTellsTheOtherNodeItsVisitorsLeft() async throws {
        try await withDataFolder { config in
            let a = try await TestServer.start(config)
            let b = try await NodeProcess.start(config: config)
            do {
                let nodeA = TestClient(server: a)
                let business = try await nodeA.makeBusiness()
                let chat = try await nodeA.startChat(business)
                let agent = try await nodeA.joined(chat, token: try await nodeA.agentToken(business.id))
                let visitor = try await TestSocket.connect(port: b.port, path: "/ws/visitor-chat/", query: "session_id=\(chat.id)",
                                                           subprotocols: ["Bearer", chat.token])
                _ = try await visitor.next(type: "connection_established", timeout: 10)
                let joined = try await agent.next(type: "participant_joined", timeout: 10)
                #expect(joined["participant_type"] as? String == "visitor")
                try await visitor.send(["type": "text", "content": "just before the stop"])
                let status = try await b.terminate(within: 30)
                #expect(status == 0)
                #expect(try await visitor.closed(timeout: 10).code == 1001)
                let left = try await agent.next(type: "participant_left", timeout: 10)
                #expect(left["participant_type"] as? String == "visitor")
                // Stored before the node stopped (its broadcast may come before or after the goodbye).
                let sent = { (frame: JSON) in frame["content"] as? String == "just before the stop" }
                if !agent.received.contains(where: sent) { _ = try await agent.next(type: "text", timeout: 10, where: sent) }
                await agent.close()
            } catch {
                b.kill()
                try? await a.stop()
                throw error
            }
            try await a.stop()
        }
    }
}

/// A `livechat serve` process of its own on the same data (to kill with SIGKILL), from the build folder.
final class NodeProcess: Sendable {
    let port: Int
    private let process: Process

    private let log: URL

    /// Starts `livechat serve` and waits until it answers `/health`. `environment` adds to (or,
    /// with nil, removes from) what the process gets. A port taken meanwhile by another test's
    /// socket is tried again elsewhere.
    static func start(config: AppConfig, hostname: String = "127.0.0.1", environment: [String: String?] = [:]) async throws -> NodeProcess {
        var attempt = 0
        while true {
            attempt += 1
            let node = try NodeProcess(config: config, hostname: hostname, environment: environment)
            do {
                try await node.waitUntilHealthy()
                return node
            } catch {
                node.kill()
                let output = (try? String(contentsOf: node.log, encoding: .utf8)) ?? ""
                guard attempt < 3, output.localizedCaseInsensitiveContains("address already in use") else {
                    throw TestFailure("\(error); its log ends: \(output.suffix(800))")
                }
            }
        }
    }

    private init(config: AppConfig, hostname: String, environment extra: [String: String?]) throws {
        let binary = ProcessInfo.processInfo.environment["LIVECHAT_BIN"]
            ?? FileManager.default.currentDirectoryPath + "/.build/debug/livechat"
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw TestFailure("no livechat binary at \(binary) (set LIVECHAT_BIN)") }
        port = Int.random(in: 10_000..<32_000)  // below Linux's ephemeral ports, where the test servers' are
        log = config.dataDirectory.appendingPathComponent("node-process-\(port).log")
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--hostname", hostname, "--port", "\(port)"]
        var environment = ProcessInfo.processInfo.environment
        environment["LIVECHAT_DATA_DIR"] = config.dataDirectory.appendingPathComponent("node-process").path
        environment["LIVECHAT_JWT_SECRET"] = config.jwtSecret
        environment["DATABASE_URL"] = config.databaseURL
        environment["LIVECHAT_DEMO"] = "0"
        environment["LIVECHAT_BCRYPT_COST"] = "4"
        environment["LOG_LEVEL"] = "warning"
        environment["LIVECHAT_PRESENCE_HEARTBEAT"] = "\(config.presenceHeartbeatSeconds)"
        environment["LIVECHAT_PRESENCE_GRACE"] = "\(config.presenceGraceSeconds)"
        for (name, value) in extra { environment[name] = value }
        process.environment = environment
        try FileManager.default.createDirectory(at: config.dataDirectory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    private func waitUntilHealthy(timeout: Double = 30) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard process.isRunning else { throw TestFailure("livechat serve exited with \(process.terminationStatus)") }
            let request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/health")
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)), response.status == .ok { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("livechat serve did not answer /health within \(timeout)s")
    }

    /// Everything the process logged so far.
    var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM (a graceful stop) and waits up to `limit` seconds for the process to exit;
    /// its exit status.
    func terminate(within limit: Double) async throws -> Int32 {
        let exited = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in exited.continuation.yield() }
        guard process.isRunning else { return process.terminationStatus }
        Foundation.kill(process.processIdentifier, SIGTERM)
        let timer = Task {
            try await Task.sleep(for: .seconds(limit))
            exited.continuation.finish()
        }
        for await _ in exited.stream { break }
        timer.cancel()
        guard !process.isRunning else { throw TestFailure("livechat serve still runs \(limit) s after SIGTERM; its log ends: \(logText.suffix(800))") }
        return process.terminationStatus
    }

    func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
