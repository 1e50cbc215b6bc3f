import Foundation
import Testing
@testable import LiveChat

@Suite("Ordering and concurrency", .timeLimit(.minutes(3)))
struct ConcurrencyTests {
    @Test func twoSendersOf200MessagesEachSeeEveryMessageOnceInOneOrder() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let agentToken = try await client.agentToken(business.id)
            let visitor = try await client.joined(chat)
            let agent = try await client.joined(chat, token: agentToken)
            let watcher = try await client.joined(chat, token: try await client.agentToken(business.id))
            let perSender = 200
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (name, socket) in [("v", visitor), ("a", agent)] {
                    group.addTask {
                        for index in 0..<perSender {
                            try await socket.send(["type": "text", "content": "\(name)-\(index)", "client_id": "\(name)\(index)"])
                        }
                    }
                }
                try await group.waitForAll()
            }
            var orders: [[String]] = []
            for socket in [visitor, agent, watcher] {
                var got: [JSON] = []
                for _ in 0..<(2 * perSender) { got.append(try await socket.next(type: "text", timeout: 20)) }
                let seqs = got.compactMap { $0["seq"] as? Int }
                #expect(seqs == Array(1...(2 * perSender)))
                orders.append(got.compactMap { $0["content"] as? String })
            }
            #expect(orders[0] == orders[1] && orders[1] == orders[2])
            #expect(Set(orders[0]).count == 2 * perSender)
            // Each sender's own messages keep the order they were sent in.
            for name in ["v", "a"] {
                #expect(orders[0].filter { $0.hasPrefix("\(name)-") } == (0..<perSender).map { "\(name)-\($0)" })
            }
            var history: [String] = []
            var after = ""
            while true {
                let page = try await client.history(chat.id, token: agentToken, query: "?limit=150" + after).json["data"] as? [JSON] ?? []
                let messages = page.compactMap { $0["data"] as? JSON }
                if messages.isEmpty { break }
                history += messages.compactMap { $0["content"] as? String }
                after = "&after=\(messages.last?["id"] as? String ?? "")"
            }
            #expect(history == orders[0])
            await visitor.close(); await agent.close(); await watcher.close()
        }
    }

    @Test func aSocketDroppedMidStreamLosesNothingItSent() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let agent = try await client.joined(chat, token: try await client.agentToken(business.id))
            let visitor = try await RawSocket.open(port: client.server.port, path: "/ws/visitor-chat/?session_id=\(chat.id)", token: chat.token)
            let sent = (0..<50).map { "m\($0)" }
            for text in sent { try await visitor.sendText(#"{"type":"text","content":"\#(text)"}"#) }
            // The pong comes back once the server has read every frame before the ping; most of
            // the messages are still on their way to the store when the connection goes.
            try await visitor.roundTrip()
            try await visitor.drop()  // no close frame: the TCP connection just goes
            let seen = try await eventually { agent.received.filter { $0["type"] as? String == "text" } } until: { $0.count >= sent.count }
            #expect(seen.compactMap { $0["content"] as? String } == sent)
            #expect(seen.compactMap { $0["seq"] as? Int } == Array(1...sent.count))
            let stored = try await eventually {
                try await client.history(chat.id, token: chat.token).json["data"] as? [JSON] ?? []
            } until: { $0.count >= sent.count }
            let messages = stored.compactMap { $0["data"] as? JSON }
            #expect(messages.compactMap { $0["content"] as? String } == sent)
            #expect(messages.compactMap { $0["seq"] as? Int } == Array(1...sent.count))
            await agent.close()
        }
    }
}
