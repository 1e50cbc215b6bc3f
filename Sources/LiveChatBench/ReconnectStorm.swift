import Foundation
import Histogram

/// A node is lost: every visitor socket drops at once (the benchmark closes them), the agents
/// write one message to each session meanwhile, and every visitor comes back with the last `seq`
/// it saw to the node the agents are on. Measures how soon all are back and caught up.
struct ReconnectStorm: Codable {
    var sockets = 0
    /// From the first reconnect to the last `connection_established`.
    var allBackSeconds = 0.0
    var handshakesPerSecond = 0.0
    var handshakeP50Millis = 0.0
    var handshakeP99Millis = 0.0
    /// From the first reconnect until every visitor had the message it missed.
    var allCaughtUpSeconds = 0.0
    var caughtUp = 0
    var missed = 0
    var duplicates = 0
    var held: Bool { missed == 0 && duplicates == 0 }
}

extension Bench {
    func reconnectStorm() async throws -> ReconnectStorm {
        let leaving = visitors
        await withTaskGroup(of: Void.self) { group in
            for socket in leaving { group.addTask { await socket.close() } }
        }
        visitors = []
        // Meanwhile each session gets one message from its agent, stored before anyone comes back
        // (the agents' own echoes say so).
        let runID = "away" + String(UUID().uuidString.prefix(4))
        agentTracker.reset(run: runID)
        visitorTracker.reset(run: runID)
        let lastSeen = expectedPerSession
        for (session, socket) in agentSockets.enumerated() {
            socket.send(LoadMessage.text(run: runID, session: session, n: 0, scheduled: DispatchTime.now().uptimeNanoseconds))
            expectedPerSession[session] += 1
        }
        let stored = Date().addingTimeInterval(30)
        while agentTracker.received < agentSockets.count, Date() < stored { try await Task.sleep(for: .milliseconds(10)) }
        guard agentTracker.received == agentSockets.count else {
            throw BenchError("the agents' messages were not all stored: \(agentTracker.received)/\(agentSockets.count)")
        }
        log("reconnect storm: \(chats.count) visitors back at once, with last_seq, to \(options.agentURL ?? options.url)")
        let base = options.agentURL ?? options.url
        let group = self.group
        let chats = self.chats
        let tracker = visitorTracker
        let started = DispatchTime.now().uptimeNanoseconds
        let back = try await inParallel(chats.count, width: options.connectConcurrency) { index -> (BenchSocket, UInt64) in
            try await BenchSocket.open(base: base, session: chats[index].session, lastSeq: lastSeen[index], token: chats[index].token,
                                       group: group) { frame in tracker.record(frame, at: DispatchTime.now().uptimeNanoseconds) }
        }
        let allBack = DispatchTime.now().uptimeNanoseconds
        let deadline = Date().addingTimeInterval(30)
        while tracker.received < chats.count, Date() < deadline { try await Task.sleep(for: .milliseconds(2)) }
        let caughtUp = DispatchTime.now().uptimeNanoseconds
        visitors = back.map(\.0)
        var handshakes = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        for (_, nanos) in back { handshakes.record(nanos) }
        // A last look for copies that came late.
        try await Task.sleep(for: .milliseconds(200))
        let summary = tracker.summary()
        var storm = ReconnectStorm()
        storm.sockets = back.count
        storm.allBackSeconds = Double(allBack - started) / 1e9
        storm.handshakesPerSecond = Double(back.count) / storm.allBackSeconds
        storm.handshakeP50Millis = Double(handshakes.valueAtPercentile(50)) / 1e6
        storm.handshakeP99Millis = Double(handshakes.valueAtPercentile(99)) / 1e6
        storm.allCaughtUpSeconds = Double(caughtUp - started) / 1e9
        storm.caughtUp = summary.received
        storm.missed = chats.count - summary.received
        storm.duplicates = summary.duplicates
        log(String(format: "  all back in %.2f s (%.0f handshakes/s), caught up in %.2f s, missed %d, twice %d",
                   storm.allBackSeconds, storm.handshakesPerSecond, storm.allCaughtUpSeconds, storm.missed, storm.duplicates))
        return storm
    }
}
