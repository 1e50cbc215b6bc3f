import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket

/// The open sockets of each topic (session or business feed) on this node, and who they belong to.
package final class TopicHub: Sendable {
    private struct Entry {
        var sockets: [UUID: SocketConnection] = [:]
        /// Open sockets per participant (visitor or agent id).
        var perParticipant: [UUID: Int] = [:]
    }

    private let topics = NIOLockedValueBox<[HubEvent.Topic: Entry]>([:])
    /// Held while events are admitted and queued on their event loops: a session's events come
    /// from this node's writer and from the other nodes' (two threads), and a socket must write
    /// them in the order it admitted them.
    private let delivering = NIOLock()
    /// Counts this hub's sockets for shutdown (it waits until they have all gone).
    private let activity: LoopCounter

    init(activity: LoopCounter) {
        self.activity = activity
    }

    /// Adds a socket; true when it is its participant's first socket on the topic.
    @discardableResult
    func add(_ connection: SocketConnection) -> Bool {
        topics.withLockedValue { all in
            var entry = all[connection.topic] ?? Entry()
            if entry.sockets.updateValue(connection, forKey: connection.id) == nil { activity.enter() }
            let participant = connection.identity.subject ?? connection.id
            entry.perParticipant[participant, default: 0] += 1
            all[connection.topic] = entry
            return entry.perParticipant[participant] == 1
        }
    }

    /// Removes a socket; true when it was its participant's last socket on the topic.
    @discardableResult
    func remove(_ connection: SocketConnection) -> Bool {
        let (removed, last) = topics.withLockedValue { all -> (Bool, Bool) in
            guard var entry = all[connection.topic], entry.sockets.removeValue(forKey: connection.id) != nil else { return (false, false) }
            let participant = connection.identity.subject ?? connection.id
            let left = (entry.perParticipant[participant] ?? 1) - 1
            entry.perParticipant[participant] = left > 0 ? left : nil
            all[connection.topic] = entry.sockets.isEmpty ? nil : entry
            return (true, left == 0)
        }
        if removed { activity.leave() }
        return last
    }

    /// Hands the events to every socket of their topics, in the caller's order: one task per
    /// event loop writes all of its sockets' frames, then flushes each socket once.
    func deliver(_ events: [HubEvent]) {
        var perLoop: [ObjectIdentifier: (loop: any EventLoop, writes: [(SocketConnection, HubEvent)])] = [:]
        topics.withLockedValue { all in
            for event in events {
                guard let sockets = all[event.topic]?.sockets.values else { continue }
                for connection in sockets where connection.id != event.excluding {
                    let loop = connection.channel.eventLoop
                    perLoop[ObjectIdentifier(loop), default: (loop, [])].writes.append((connection, event))
                }
            }
        }
        delivering.lock()
        defer { delivering.unlock() }
        for (_, batch) in perLoop {
            // Decided here, in order, so that events held for a catching-up socket stay in order.
            var admitted: [(SocketConnection, HubEvent)] = []
            var gaps: [(SocketConnection, Int)] = []
            for (connection, event) in batch.writes {
                switch connection.admit(event) {
                case .send: admitted.append((connection, event))
                case .wait: break
                case .fill(let after): gaps.append((connection, after))
                }
            }
            // Gaps are filled after what was admitted before them is queued.
            defer { for (connection, after) in gaps { connection.fillGap(after: after) } }
            guard !admitted.isEmpty else { continue }
            let writes = admitted
            batch.loop.execute {
                var touched: [UUID: SocketConnection] = [:]
                for (connection, event) in writes {
                    connection.writeOnLoop(event, flush: false)
                    touched[connection.id] = connection
                }
                for connection in touched.values { connection.channel.flush() }
            }
        }
    }

    /// Every socket reads what it may have missed (after the bus between nodes was down).
    package func refillAll() {
        let all = topics.withLockedValue { $0.values.flatMap { $0.sockets.values } }
        for connection in all { connection.refill() }
    }

    /// Open sockets of one topic on this node.
    func count(of topic: HubEvent.Topic) -> Int {
        topics.withLockedValue { $0[topic]?.sockets.count ?? 0 }
    }

    package var connectionCount: Int {
        topics.withLockedValue { $0.values.reduce(0) { $0 + $1.sockets.count } }
    }

    /// Closes the sockets that `matches` with `code`.
    func close(where matches: (SocketConnection) -> Bool, code: WebSocketErrorCode) {
        let chosen = topics.withLockedValue { $0.values.flatMap { $0.sockets.values.filter(matches) } }
        for connection in chosen { connection.close(code: code) }
    }

    /// Closes every socket with 1001 (server going away), for shutdown.
    package func closeAll() {
        let all = topics.withLockedValue { $0.values.flatMap { $0.sockets.values } }
        for connection in all {
            connection.close(code: .goingAway)
        }
    }
}
