import ChatDomain
import Foundation
import NIOCore

/// The caps on open sockets (`Limits.socketsPerAddress`, `.socketsPerSession`, `.socketsTotal`): checked before
/// the upgrade (429), and counted once upgraded (a socket past a cap that raced in closes with 1008).
extension Realtime {
    /// Before the upgrade: room for one more socket from `address` (and on `session`, when given).
    func checkSocketRoom(address: String, session: UUID?) throws {
        guard sockets.hasRoomInAll() else {
            metrics.refused(limit: LimitRefusal.socketsTotal.limit)
            throw LimitRefusal.socketsTotal
        }
        guard sockets.hasRoom(address) else {
            metrics.refused(limit: LimitRefusal.socketsPerAddress.limit)
            throw LimitRefusal.socketsPerAddress
        }
        if let session, limits.socketsPerSession > 0, sessions.count(of: .session(session)) >= limits.socketsPerSession {
            metrics.refused(limit: LimitRefusal.socketsPerSession.limit)
            throw LimitRefusal.socketsPerSession
        }
    }

    /// Once upgraded: counts the socket for `address` until its channel closes; false (not
    /// counted) when another socket took the last place meanwhile.
    func holdSocket(_ channel: any Channel, address: String, session: UUID?) -> Bool {
        if let session, limits.socketsPerSession > 0, sessions.count(of: .session(session)) >= limits.socketsPerSession { return false }
        guard sockets.take(address) else { return false }
        let sockets = self.sockets
        channel.closeFuture.whenComplete { _ in sockets.release(address) }
        return true
    }
}
