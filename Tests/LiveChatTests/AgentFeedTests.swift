import Foundation
import Testing
@testable import ChatDomain
@testable import LiveChat

@Suite("WS /ws/agent/: the business's live feed", .timeLimit(.minutes(3)))
struct AgentFeedTests {
    @Test func theFeedCarriesStartsMessagesAndEndsOfItsBusinessOnly() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let other = try await client.makeBusiness()
            let (_, token) = try await client.loginAgent(business)
            let (feed, hello) = try await client.feed(token: token)
            #expect(hello["business"] as? String == business.id)
            #expect(hello["cursor"] as? Int != nil)
            _ = try await client.startChat(other)
            let chat = try await client.startChat(business)
            let started = try await feed.next(type: "session_started")
            #expect(started["session_id"] as? String == chat.id)
            #expect(((started["session"] as? JSON)?["visitor"] as? JSON)?["id"] as? String == chat.visitorID)
            let visitor = try await client.joined(chat)
            try await visitor.send(["type": "text", "content": "hello agents"])
            let message = try await feed.next(type: "message")
            #expect(message["session_id"] as? String == chat.id)
            #expect((message["message"] as? JSON)?["content"] as? String == "hello agents")
            _ = try await client.post("/chat/sessions/\(chat.id)/end/", token: chat.token)
            let ended = try await feed.next(type: "session_ended")
            #expect(ended["session_id"] as? String == chat.id)
            let cursors = feed.received.compactMap { $0["cursor"] as? Int }.dropFirst()
            #expect(Array(cursors) == cursors.sorted() && Set(cursors).count == cursors.count)
            #expect(!feed.received.contains { ($0["session_id"] as? String).map { $0 != chat.id } ?? false })
            await feed.close(); await visitor.close()
        }
    }

    @Test func aBusinesssCursorsCountOneTwoThreeWhateverOtherBusinessesDo() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let other = try await client.makeBusiness()
            let (_, token) = try await client.loginAgent(business)
            let (feed, hello) = try await client.feed(token: token)
            let start = try #require(hello["cursor"] as? Int)
            for _ in 0..<3 {
                _ = try await client.startChat(other)
                _ = try await client.startChat(business)
            }
            for _ in 0..<3 { _ = try await feed.next(type: "session_started") }
            let cursors = feed.received.filter { $0["type"] as? String == "session_started" }.compactMap { $0["cursor"] as? Int }
            // The other business's three starts took none of this business's numbers.
            #expect(cursors == [start + 1, start + 2, start + 3])
            await feed.close()
        }
    }

    @Test func twentyParallelStartsArriveOnceEach() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let (_, token) = try await client.loginAgent(business)
            let (feed, _) = try await client.feed(token: token)
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<20 { group.addTask { try await client.startChat(business).id } }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            var seen: [String] = []
            for _ in 0..<20 { seen.append(try await feed.next(type: "session_started", timeout: 10)["session_id"] as? String ?? "") }
            // A start after them: the feed is in order, so a repeat of any of the 20 comes before it.
            let marker = try await client.startChat(business)
            _ = try await feed.next(type: "session_started", where: { $0["session_id"] as? String == marker.id })
            let starts = feed.received.filter { $0["type"] as? String == "session_started" && $0["session_id"] as? String != marker.id }
            #expect(Set(seen) == Set(ids))
            #expect(seen.count == 20 && starts.count == 20)
            await feed.close()
        }
    }

    @Test func aReconnectingFeedGetsWhatItMissed() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let (_, token) = try await client.loginAgent(business)
            let (feed, _) = try await client.feed(token: token)
            let first = try await client.startChat(business)
            let seen = try await feed.next(type: "session_started")
            let cursor = try #require(seen["cursor"] as? Int)
            await feed.close()
            let second = try await client.startChat(business)
            let visitor = try await client.joined(second)
            try await visitor.send(["type": "text", "content": "while you were away"])
            _ = try await visitor.next(type: "text")
            let (again, hello) = try await client.feed(token: token, cursor: cursor)
            #expect(hello["cursor"] as? Int ?? 0 > cursor)
            let missedStart = try await again.next(type: "session_started")
            #expect(missedStart["session_id"] as? String == second.id)
            let missedMessage = try await again.next(type: "message")
            #expect((missedMessage["message"] as? JSON)?["content"] as? String == "while you were away")
            #expect(!again.received.contains { $0["session_id"] as? String == first.id && $0["type"] as? String == "session_started" })
            // And it is live afterwards.
            try await visitor.send(["type": "text", "content": "live again"])
            #expect((try await again.next(type: "message")["message"] as? JSON)?["content"] as? String == "live again")
            await again.close(); await visitor.close()
        }
    }

    @Test func onlyAgentsMayOpenTheFeed() async throws {
        try await withServer { server, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            for token in [chat.token, try await client.adminToken(), "garbage"] {
                let socket = try await TestSocket.connect(port: server.port, path: "/ws/agent/", query: nil, subprotocols: ["Bearer", token])
                #expect(try await socket.closed().code == 4003)
            }
            let none = try await TestSocket.connect(port: server.port, path: "/ws/agent/", query: nil, subprotocols: [])
            #expect(try await none.closed().code == 4003)
        }
    }

    @Test func presenceFollowsTheFeedWithAGracePeriod() async throws {
        // The grace period is long enough that a reconnect under a loaded CI machine still falls
        // inside it (with one second, a reconnect that took longer was once counted as a leave).
        try await withServer({ $0.presenceGraceSeconds = 4 }) { _, client in
            let business = try await client.makeBusiness()
            let (ann, annToken) = try await client.loginAgent(business)
            let (_, bobToken) = try await client.loginAgent(business)
            let (watcher, _) = try await client.feed(token: bobToken)
            let (annFeed, _) = try await client.feed(token: annToken)
            let online = try await watcher.next(type: "agent_presence", where: { $0["agent_id"] as? String == ann })
            #expect(online["online"] as? Bool == true)
            // A quick reconnect is not noticed.
            await annFeed.close()
            let (annAgain, _) = try await client.feed(token: annToken)
            await annAgain.close()
            let offline = try await watcher.next(type: "agent_presence", where: { $0["agent_id"] as? String == ann && $0["online"] as? Bool == false })
            #expect(offline["online"] as? Bool == false)
            // Had the quick reconnect been noticed, its offline (one grace period after the first
            // close) and online would come before this offline (one grace period after the last).
            let presence = watcher.received.filter { $0["type"] as? String == "agent_presence" && $0["agent_id"] as? String == ann }
            #expect(presence.compactMap { $0["online"] as? Bool } == [true, false])
            await watcher.close()
        }
    }
}

@Suite("Session socket extensions: typing, read receipts, participants", .timeLimit(.minutes(3)))
struct SessionSignalTests {
    @Test func typingIsRelayedToTheOthersAndNeverStored() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let (agentID, token) = try await client.loginAgent(business)
            let visitor = try await client.joined(chat)
            let agent = try await client.joined(chat, token: token)
            try await visitor.send(["type": "typing", "is_typing": true])
            let typing = try await agent.next(type: "typing")
            #expect(typing["sender_id"] as? String == chat.visitorID)
            #expect(typing["is_typing"] as? Bool == true)
            try await agent.send(["type": "typing", "is_typing": false])
            let back = try await visitor.next(type: "typing")
            #expect(back["sender_id"] as? String == agentID && back["is_typing"] as? Bool == false)
            try await visitor.send(["type": "typing", "is_typing": "yes"])
            _ = try await visitor.next(type: "error")
            try await visitor.send(["type": "text", "content": "marker"])
            _ = try await visitor.next(type: "text")
            #expect(!visitor.received.contains { $0["type"] as? String == "typing" && $0["sender_id"] as? String == chat.visitorID })
            #expect((try await client.history(chat.id, token: chat.token).json["data"] as? [JSON])?.count == 1)
            await visitor.close(); await agent.close()
        }
    }

    /// A flood of typing frames is not amplified: the same state again within a second is not
    /// relayed, a change is relayed at once.
    @Test func repeatedTypingIsRelayedAtMostOnceASecondAndAChangeAtOnce() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let visitor = try await client.joined(chat)
            let agent = try await client.joined(chat, token: try await client.agentToken(business.id))
            let started = ContinuousClock.now
            for _ in 0..<50 { try await visitor.send(["type": "typing", "is_typing": true]) }
            try await visitor.send(["type": "typing", "is_typing": false])
            try await visitor.send(["type": "typing", "is_typing": false])
            try await visitor.send(["type": "typing", "is_typing": true])
            // A sender's relays arrive in order (messages may take another path, with several
            // nodes): the last change, once here, follows every relay of the frames before it.
            var relayed: [Bool] = []
            while relayed.count < 3 || relayed.suffix(2) != [false, true] {
                relayed.append(try #require(try await agent.next(type: "typing")["is_typing"] as? Bool))
            }
            // Within a second, one of each change; on a slow machine one repeat per second more
            // of each state may pass (50 frames over several seconds).
            let elapsed = ContinuousClock.now - started
            if elapsed < .seconds(1) { #expect(relayed == [true, false, true]) }
            #expect(relayed.count <= 4 + 2 * Int(elapsed.components.seconds) && relayed.first == true, "\(relayed) in \(elapsed)")
            // A second later the same state is relayed again.
            try await Task.sleep(for: .milliseconds(1100))
            try await visitor.send(["type": "typing", "is_typing": true])
            #expect(try await agent.next(type: "typing")["is_typing"] as? Bool == true)
            await visitor.close(); await agent.close()
        }
    }

    @Test func readReceiptsAreStoredRelayedAndOnlyMoveForward() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let (agentID, token) = try await client.loginAgent(business)
            let visitor = try await client.joined(chat)
            let agent = try await client.joined(chat, token: token)
            try await visitor.send(["type": "text", "content": "first"])
            let first = try await agent.next(type: "text")
            try await visitor.send(["type": "text", "content": "second"])
            let second = try await agent.next(type: "text")
            try await agent.send(["type": "read", "message_id": second["id"] as? String ?? ""])
            let receipt = try await visitor.next(type: "read")
            #expect(receipt["reader_id"] as? String == agentID)
            #expect(receipt["message_id"] as? String == second["id"] as? String)
            #expect(receipt["seq"] as? Int == 2)
            // Reading an older message does not move the marker back, and is not relayed.
            try await agent.send(["type": "read", "message_id": first["id"] as? String ?? ""])
            try await agent.send(["type": "read", "message_id": UUID().uuidString])
            _ = try await agent.next(type: "error")
            try await agent.send(["type": "text", "content": "marker"])
            _ = try await visitor.next(type: "text", where: { $0["content"] as? String == "marker" })
            #expect(visitor.received.filter { $0["type"] as? String == "read" }.count == 1)
            await visitor.close(); await agent.close()
        }
    }

    @Test func participantsJoiningAndLeavingAreAnnounced() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let (agentID, token) = try await client.loginAgent(business)
            let visitor = try await client.joined(chat)
            let agent = try await client.joined(chat, token: token)
            let joined = try await visitor.next(type: "participant_joined")
            #expect(joined["participant_id"] as? String == agentID && joined["participant_type"] as? String == "agent")
            // A second tab of the same agent is not a new participant.
            let secondTab = try await client.joined(chat, token: token)
            await secondTab.close()
            await agent.close()
            let left = try await visitor.next(type: "participant_left")
            #expect(left["participant_id"] as? String == agentID)
            #expect(visitor.received.filter { $0["type"] as? String == "participant_joined" }.count == 1)
            #expect(!agent.received.contains { $0["type"] as? String == "participant_joined" && $0["participant_id"] as? String == agentID })
            await visitor.close()
        }
    }
}
