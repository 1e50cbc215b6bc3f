import ChatDomain
import NIOCore
import Vapor

/// `WS /ws/visitor-chat/?session_id=<uuid>`: the domain decides the handshake (`SocketAdmission`),
/// then the socket upgrades and is wired: frames → `ConnectionLoop` (on the event loop, then in
/// order); session events → the socket.
package struct VisitorSocketController: RouteCollection {
    package init() {}

    package func boot(routes: any RoutesBuilder) throws {
        routes.get("ws", "visitor-chat", use: connect)
    }

    @Sendable
    func connect(req: Request) async throws -> Response {
        guard req.isWebSocketUpgrade else { throw SocketEndpointError.upgradeRequired }
        let credentials = req.socketCredentials
        let admission = try await req.chat.sockets.admitChatSocket(
            sessionID: req.queryValue("session_id"), token: credentials.token,
            origin: req.headers.first(name: .origin), lastSeq: req.queryValue("last_seq"))
        let realtime = req.realtime
        let logger = req.logger
        let address = req.clientAddress
        var admitted: UUID?
        if case .accept(let session, _, _, _) = admission { admitted = session.id }
        try realtime.checkSocketRoom(address: address, session: admitted)
        return SocketUpgrader.response(subprotocol: credentials.offersBearer ? "Bearer" : nil) { channel in
            channel.eventLoop.submit {
                guard case .accept(let session, let identity, let claims, let lastSeq) = admission else {
                    if let refusal = SocketRefusal(admission, allocator: channel.allocator) {
                        SocketUpgrader.refuse(channel, refusal, realtime: realtime)
                    }
                    return
                }
                guard realtime.holdSocket(channel, address: address, session: session.id) else {
                    SocketUpgrader.refuse(channel, SocketRefusal(code: .policyViolation, preface: []), realtime: realtime)
                    return
                }
                let connection = SocketConnection(channel: channel, topic: .session(session.id), identity: identity, claims: claims,
                                                 catchingUp: true, realtime: realtime)
                let loop = ConnectionLoop(connection: connection, session: session, realtime: realtime, logger: logger)
                connection.send(json: ServerFrame.connectionEstablished(session.id))
                loop.start(lastSeq: lastSeq, firstOfParticipant: realtime.sessions.add(connection))
                try SocketUpgrader.attach(connection, realtime: realtime, onText: loop.receive, onClosed: loop.closed)
            }
        }
    }
}

/// A plain HTTP request to a socket endpoint (answered 426 by the HTTP layer's error mapping).
package enum SocketEndpointError: Error {
    case upgradeRequired
}
