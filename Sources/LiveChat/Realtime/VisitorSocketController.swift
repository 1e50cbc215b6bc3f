import NIOCore
import Vapor

/// `WS /ws/visitor-chat/?session_id=<uuid>`: checks the handshake, upgrades, and wires the
/// connection: frames → `ConnectionLoop` (on the event loop, then in order); session events → the socket.
struct VisitorSocketController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("ws", "visitor-chat", use: connect)
    }

    @Sendable
    func connect(req: Request) async throws -> Response {
        guard req.isWebSocketUpgrade else {
            throw ChatError(.upgradeRequired, "This endpoint only speaks WebSocket.")
        }
        let credentials = req.socketCredentials
        let verdict = try await SocketHandshake.decide(req, token: credentials.token)
        let services = req.chat
        let logger = req.logger
        let db = req.db
        return SocketUpgrader.response(subprotocol: credentials.offersBearer ? "Bearer" : nil) { channel in
            channel.eventLoop.submit {
                switch verdict {
                case .close(let code, let preface):
                    SocketUpgrader.refuse(channel, code: code, preface: preface, services: services)
                case .accept(let session, let business, let identity, let lastSeq):
                    let connection = SocketConnection(channel: channel, topic: .session(session), identity: identity, catchingUp: true)
                    let loop = ConnectionLoop(connection: connection, session: session, business: business,
                                              services: services, db: db, logger: logger)
                    connection.send(json: ServerFrame.connectionEstablished(session))
                    loop.start(lastSeq: lastSeq, firstOfParticipant: services.sessions.add(connection))
                    try SocketUpgrader.attach(connection, services: services, onText: loop.receive, onClosed: loop.closed)
                }
            }
        }
    }
}
