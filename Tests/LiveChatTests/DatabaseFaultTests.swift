import Foundation
import Testing
@testable import ChatStorage
@testable import LiveChat

/// CONTRACT.md "Limits": the database failing mid-chat — the sender gets an `error`, nothing
/// unstored is broadcast, `/health` answers 503, and the server recovers by itself.
@Suite("The database failing mid-chat", .enabled(if: TestDatabase.isPostgres, "PostgreSQL: the test cuts the node off its database"), .timeLimit(.minutes(3)))
struct DatabaseFaultTests {
    @Test func theSenderGetsAnErrorNothingIsBroadcastHealthIs503AndTheServerRecovers() async throws {
        try await withServer { server, client in
            let url = try #require(server.config.databaseURL)
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let visitor = try await client.joined(chat)
            let agent = try await client.joined(chat, token: try await client.agentToken(business.id))
            try await visitor.send(["type": "text", "content": "before"])
            #expect(try await agent.next(type: "text")["seq"] as? Int == 1)

            // The database goes away: every connection cut, no new one allowed.
            try await TestDatabase.allowConnections(to: url, false)
            do {
                try await TestDatabase.terminateAll(of: url)
                try await visitor.send(["type": "text", "content": "lost in the outage", "client_id": "during"])
                let error = try await visitor.next(type: "error", timeout: 30)
                #expect((error["message"] as? String)?.contains("could not be stored") == true, "\(error)")
                let health = try await eventually({ try await client.get("/health") }) { $0.status == 503 }
                #expect(health.data["status"] as? String == "unavailable")
            } catch {
                try? await TestDatabase.allowConnections(to: url, true)
                throw error
            }
            try await TestDatabase.allowConnections(to: url, true)

            // Back by itself: healthy, and the chat goes on where it was.
            _ = try await eventually(timeout: 30, { try await client.get("/health").status }) { $0 == 200 }
            try await visitor.send(["type": "text", "content": "after", "client_id": "after"])
            let after = try await agent.next(type: "text", timeout: 20)
            #expect(after["content"] as? String == "after")
            #expect(after["seq"] as? Int == 2)  // the refused message took no number and was never broadcast
            let items = try await client.history(chat.id, token: chat.token).json["data"] as? [JSON] ?? []
            #expect(items.compactMap { ($0["data"] as? JSON)?["content"] as? String } == ["before", "after"])
            await visitor.close()
            await agent.close()
        }
    }
}

/// The same on SQLite: another process holds the database file's write lock (as a backup tool
/// or a stray `sqlite3` shell can), past the writer's busy timeout.
@Suite("The SQLite file locked mid-chat", .enabled(if: !TestDatabase.isPostgres, "SQLite: the test locks the server's database file"), .timeLimit(.minutes(3)))
struct SQLiteFaultTests {
    @Test func theSenderGetsAnErrorNothingIsBroadcastHealthIs503AndTheServerRecovers() async throws {
        try await withServer { server, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let visitor = try await client.joined(chat)
            let agent = try await client.joined(chat, token: try await client.agentToken(business.id))
            try await visitor.send(["type": "text", "content": "before"])
            #expect(try await agent.next(type: "text")["seq"] as? Int == 1)

            let intruder = try SQLiteHandle(path: server.config.databaseFile.path)
            try intruder.execute("BEGIN EXCLUSIVE")
            do {
                try await visitor.send(["type": "text", "content": "lost while locked", "client_id": "during"])
                // The writer tries the batch, then the message alone, each for the 10-second busy
                // timeout; a loaded machine took over 40 s in all.
                let error = try await visitor.next(type: "error", timeout: 120)
                #expect((error["message"] as? String)?.contains("could not be stored") == true, "\(error)")
                let health = try await eventually(timeout: 120, { try await client.get("/health") }) { $0.status == 503 }
                #expect(health.data["database"] as? String == "failing")
            } catch {
                try? intruder.execute("ROLLBACK")
                throw error
            }
            try intruder.execute("ROLLBACK")

            _ = try await eventually(timeout: 60, { try await client.get("/health").status }) { $0 == 200 }
            try await visitor.send(["type": "text", "content": "after", "client_id": "after"])
            let after = try await agent.next(type: "text", timeout: 20)
            #expect(after["content"] as? String == "after")
            #expect(after["seq"] as? Int == 2)
            let items = try await client.history(chat.id, token: chat.token).json["data"] as? [JSON] ?? []
            #expect(items.compactMap { ($0["data"] as? JSON)?["content"] as? String } == ["before", "after"])
            #expect(!agent.received.contains { $0["content"] as? String == "lost while locked" })
            await visitor.close()
            await agent.close()
        }
    }
}
