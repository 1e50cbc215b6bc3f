import Foundation
import Testing
@testable import ChatStorage
@testable import LiveChat

@Suite("Stopping the server", .timeLimit(.minutes(3)))
struct ShutdownTests {
    @Test func shutdownClosesSocketsWith1001AndKeepsEveryReceivedMessage() async throws {
        try await withDataFolder { config in
            let first = try await TestServer.start(config)
            let client = TestClient(server: first)
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let raw = try await RawSocket.open(port: first.port, path: "/ws/visitor-chat/?session_id=\(chat.id)", token: chat.token)
            let watcher = try await client.joined(chat)
            for index in 0..<100 { try await raw.sendText(#"{"type":"text","content":"m\#(index)"}"#) }
            // Once the pong is back the server has read every frame; most are not stored yet.
            try await raw.roundTrip()
            try await first.stop()
            #expect(try await watcher.closed().code == 1001)
            let broadcast = watcher.received.filter { $0["type"] as? String == "text" }.compactMap { $0["content"] as? String }
            #expect(broadcast == (0..<broadcast.count).map { "m\($0)" })

            let second = try await TestServer.start(config)
            let again = TestClient(server: second)
            let items = try await again.history(chat.id, token: chat.token).json["data"] as? [JSON] ?? []
            #expect(items.compactMap { ($0["data"] as? JSON)?["content"] as? String } == (0..<100).map { "m\($0)" })

            // Numbering goes on where the stored messages end, and an ended session stays ended.
            let socket = try await again.joined(chat)
            try await socket.send(["type": "text", "content": "after restart"])
            #expect(try await socket.next(type: "text")["seq"] as? Int == 101)
            try await socket.send(["type": "end_session"])
            _ = try await socket.next(type: "session_ended")
            try await second.stop()
            let third = try await TestServer.start(config)
            let late = try await TestClient(server: third).socket(session: chat.id, token: chat.token)
            #expect(try await late.closed().code == 4006)
            let final = try await TestClient(server: third).history(chat.id, token: chat.token).json["data"] as? [JSON] ?? []
            #expect(final.count == items.count + 1)  // and the message after the restart
            try await third.stop()
        }
    }
}

@Suite("One server per SQLite data folder", .enabled(if: !TestDatabase.isPostgres, "SQLite only: the writer's lock on the data folder's database file"), .timeLimit(.minutes(3)))
struct DataFolderLockTests {
    @Test func aSecondServerOnTheSameFolderRefusesToStoreUntilTheFirstStops() async throws {
        try await withDataFolder { config in
            let first = try await TestServer.start(config)
            let client = TestClient(server: first)
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let socket = try await client.joined(chat)
            try await socket.send(["type": "text", "content": "on the first server"])
            #expect(try await socket.next(type: "text")["seq"] as? Int == 1)

            // The second server shares the file but not the numbers: it must not store.
            let second = try await TestServer.start(config)
            let intruder = try await TestClient(server: second).joined(chat)
            try await intruder.send(["type": "text", "content": "on the second server"])
            #expect(try await intruder.next(type: "error")["message"] as? String == "Your message could not be stored. Please send it again.")
            await intruder.close()
            await socket.close()
            try await first.stop()

            // Once the first has stopped, the second takes over and numbers on.
            let again = try await TestClient(server: second).joined(chat)
            try await again.send(["type": "text", "content": "after the first stopped"])
            #expect(try await again.next(type: "text")["seq"] as? Int == 2)
            await again.close()
            try await second.stop()
        }
    }
}

@Suite("WAL checkpoints", .enabled(if: !TestDatabase.isPostgres, "SQLite only: the checkpointer of the SQLite file's write-ahead log"), .timeLimit(.minutes(3)))
struct CheckpointTests {
    private func size(_ url: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int) ?? 0
    }

    /// The WAL header's checkpoint sequence number (big-endian, bytes 12..<16): SQLite adds one
    /// each time the WAL starts over from its beginning.
    private func rewinds(_ wal: URL) -> Int {
        guard let file = FileHandle(forReadingAtPath: wal.path) else { return 0 }
        defer { try? file.close() }
        guard let header = try? file.read(upToCount: 16), header.count == 16 else { return 0 }
        return header[12..<16].reduce(0) { $0 << 8 | Int($1) }
    }

    /// The bytes the database's pages take: once the file is that large, a checkpoint has copied
    /// every page written so far into it.
    private func pagesSize(_ database: URL) throws -> Int {
        let handle = try SQLiteHandle(path: database.path)
        let statement = try handle.statement("PRAGMA page_count")
        var count = 0
        while try statement.step() { count = statement.int(0) }
        return count * (try handle.pageSize)
    }

    @Test func theCheckpointerCopiesTheWALWhileRunningAndEmptiesItAtShutdown() async throws {
        try await withDataFolder { config in
            let database = config.databaseFile
            let wal = URL(fileURLWithPath: database.path + "-wal")
            let server = try await TestServer.start(config)
            let client = TestClient(server: server)
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let socket = try await client.joined(chat)
            // A checkpoint has run: the file holds everything so far.
            let before = try await eventually({ (file: size(database), pages: try pagesSize(database)) }) { $0.file >= $0.pages }.file
            for index in 0..<300 {
                try await socket.send(["type": "text", "content": "message \(index) " + String(repeating: "x", count: 200)])
            }
            _ = try await socket.next(type: "text", where: { $0["seq"] as? Int == 300 })
            #expect(size(wal) > 0)
            // Commits never checkpoint (wal_autocheckpoint=0); the checkpointer's thread copies the pages.
            let grown = try await eventually({ size(database) }) { $0 > before }
            #expect(grown > before)
            await socket.close()
            try await server.stop()
            #expect(size(wal) == 0)  // TRUNCATE checkpoint at shutdown
        }
    }

    @Test func underSteadyTrafficTheWALStartsOverInsteadOfGrowingWithoutEnd() async throws {
        try await withServer({
            $0.walRestartMiB = 1
            $0.socketMessageBurst = 1_000_000
            $0.socketMessagesPerSecond = 1_000_000
        }) { server, client in
            let wal = URL(fileURLWithPath: server.config.databaseFile.path + "-wal")
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let socket = try await client.joined(chat)
            // Four seconds of messages of 3,000 characters, 20 at a time: commits keep landing while
            // each passive checkpoint runs, so the WAL never empties by itself.
            let text = String(repeating: "x", count: 3000)
            var sent = 0
            var largest = 0
            // The WAL header's checkpoint number moves at each rewind; a truncation (an idle
            // moment on a loaded machine) empties the file, which is starting over as well.
            var lastSeen = rewinds(wal)
            var startsOver = 0
            let end = ContinuousClock.now + .seconds(4)
            while ContinuousClock.now < end {
                for _ in 0..<20 {
                    sent += 1
                    try await socket.send(["type": "text", "content": "\(sent) \(text)"])
                }
                let last = sent
                _ = try await socket.next(type: "text", timeout: 10, where: { $0["seq"] as? Int == last })
                largest = max(largest, size(wal))
                let seen = rewinds(wal)
                if seen != lastSeen { startsOver += seen > lastSeen ? seen - lastSeen : 1 }
                lastSeen = seen
            }
            // Past 1 MiB, the next checkpoint (every 0.5 s) rewinds the WAL: several times in 4 s.
            // Without it, the WAL would never start over while the traffic lasts.
            #expect(startsOver >= 2, "the WAL grew to \(largest) bytes")
            // Every message is stored once, in order, across the rewinds.
            var seqs: [Int] = []
            var after = ""
            while true {
                let page = try await client.history(chat.id, token: chat.token, query: "?limit=1000" + after).json["data"] as? [JSON] ?? []
                let messages = page.filter { $0["type"] as? String == "message" }.compactMap { $0["data"] as? JSON }
                guard let last = messages.last?["id"] as? String else { break }
                seqs += messages.compactMap { $0["seq"] as? Int }
                after = "&after=\(last)"
            }
            #expect(seqs == Array(1...sent))
            await socket.close()
        }
    }
}
