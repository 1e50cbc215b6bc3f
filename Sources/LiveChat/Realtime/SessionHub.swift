import Foundation
import NIOConcurrencyHelpers

/// The open sockets of each session on this node.
final class SessionHub: Sendable {
    private let sessions = NIOLockedValueBox<[UUID: [ObjectIdentifier: SocketConnection]]>([:])

    func add(_ connection: SocketConnection) {
        sessions.withLockedValue { $0[connection.sessionID, default: [:]][ObjectIdentifier(connection)] = connection }
    }

    func remove(_ connection: SocketConnection) {
        sessions.withLockedValue { all in
            all[connection.sessionID]?[ObjectIdentifier(connection)] = nil
            if all[connection.sessionID]?.isEmpty == true { all[connection.sessionID] = nil }
        }
    }

    /// Hands the event to every socket of its session, in the caller's order.
    func deliver(_ event: SessionEvent) {
        let targets = sessions.withLockedValue { $0[event.sessionID].map { Array($0.values) } ?? [] }
        for connection in targets {
            connection.deliver(event)
        }
    }

    var connectionCount: Int {
        sessions.withLockedValue { $0.values.reduce(0) { $0 + $1.count } }
    }

    /// Closes every socket with 1001 (server going away), for shutdown.
    func closeAll() {
        let all = sessions.withLockedValue { $0.values.flatMap { $0.values } }
        for connection in all {
            connection.close(code: .goingAway)
        }
    }
}
