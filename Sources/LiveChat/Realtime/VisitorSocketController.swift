import NIOCore
import Vapor

/// `WS /ws/visitor-chat/?session_id=<uuid>`: checks the handshake, upgrades, and wires the
/// connection: frames → one ordered stream → `ConnectionLoop`; session events → the socket.
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
                    let connection = SocketConnection(channel: channel, sessionID: UUID(), identity: .admin, catchingUp: false)
                    try channel.pipeline.syncOperations.addHandler(Self.frameHandler(connection, services: services, onText: { _ in }, onClosed: {}))
                    preface.forEach(connection.send)
                    connection.close(code: code)
                case .accept(let session, let identity, let lastSeq):
                    let connection = SocketConnection(channel: channel, sessionID: session, identity: identity, catchingUp: true)
                    let (frames, input) = AsyncStream<String>.makeStream()
                    let hub = services.hub
                    try channel.pipeline.syncOperations.addHandler(Self.frameHandler(
                        connection, services: services,
                        onText: { input.yield($0) },
                        onClosed: {
                            input.finish()
                            hub.remove(connection)
                        }))
                    connection.send(json: ServerFrame.connectionEstablished(session))
                    hub.add(connection)
                    let loop = ConnectionLoop(connection: connection, services: services, db: db, logger: logger)
                    Task { await loop.run(frames, lastSeq: lastSeq) }
                }
            }
        }
    }

    private static func frameHandler(
        _ connection: SocketConnection, services: ChatServices,
        onText: @escaping (String) -> Void, onClosed: @escaping () -> Void
    ) -> ChatFrameHandler {
        ChatFrameHandler(
            connection: connection, maxMessageBytes: SocketUpgrader.maxFrameBytes,
            limiter: RateLimiter(burst: services.config.socketMessageBurst, perSecond: services.config.socketMessagesPerSecond),
            onText: onText, onClosed: onClosed)
    }
}
