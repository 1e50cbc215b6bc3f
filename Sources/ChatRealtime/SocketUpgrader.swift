import ChatDomain
import NIOCore
import NIOHTTP1
import NIOWebSocket
import Vapor

/// Upgrades to a WebSocket whose frames go to our own handler (not websocket-kit's): frames
/// over 64 KiB are refused by the decoder, and the `Bearer` subprotocol is answered when offered.
struct SocketUpgrader: Upgrader {
    static let maxFrameBytes = 64 * 1024

    let subprotocol: String?
    let setUp: @Sendable (any Channel) -> EventLoopFuture<Void>

    func applyUpgrade(req: Request, res: Response) -> any HTTPServerProtocolUpgrader {
        let subprotocol = self.subprotocol
        let setUp = self.setUp
        return NIOWebSocketServerUpgrader(
            maxFrameSize: Self.maxFrameBytes,
            automaticErrorHandling: false,
            shouldUpgrade: { channel, _ in
                var headers = HTTPHeaders()
                if let subprotocol { headers.add(name: "Sec-WebSocket-Protocol", value: subprotocol) }
                return channel.eventLoop.makeSucceededFuture(headers)
            },
            upgradePipelineHandler: { channel, _ in setUp(channel) })
    }

    /// Puts our frame handler on an upgraded channel (on its event loop): each complete text
    /// message goes to `onText`, in order; `onClosed` is called once the channel has closed — at
    /// once if it closed before the handler was in place. Call it last when setting a socket up.
    static func attach(_ connection: SocketConnection, realtime: Realtime,
                       onText: @escaping @Sendable (String) -> Void, onClosed: @escaping @Sendable () -> Void) throws {
        try connection.channel.pipeline.syncOperations.addHandler(ChatFrameHandler(
            connection: connection, maxMessageBytes: maxFrameBytes,
            limiter: RateLimiter(burst: realtime.messageBurst, perSecond: realtime.messagesPerSecond),
            heartbeatTimeout: .seconds(Int64(realtime.limits.heartbeatTimeout)), onText: onText, onClosed: onClosed))
        if !connection.channel.isActive { onClosed() }
        // A token that expires while its socket is open closes it (4003), as a new request would be refused.
        if let expiresAt = connection.claims?.expiresAt {
            let channel = connection.channel
            // Capped at 400 days (longer than any lifetime this server issues): a far `exp` must not overflow.
            let left = max(0, min(expiresAt.timeIntervalSinceNow, 400 * 86_400))
            let expiry = channel.eventLoop.scheduleTask(in: .milliseconds(Int64(left * 1000))) {
                connection.close(code: .unauthorized)
            }
            channel.closeFuture.whenComplete { _ in expiry.cancel() }
        }
    }

    /// A refused socket: the frames that explain why, then the close code.
    static func refuse(_ channel: any Channel, _ refusal: SocketRefusal, realtime: Realtime) {
        let connection = SocketConnection(channel: channel, topic: .session(UUID()), identity: .admin, claims: nil, catchingUp: false,
                                          realtime: realtime)
        try? attach(connection, realtime: realtime, onText: { _ in }, onClosed: {})
        refusal.preface.forEach(connection.send)
        connection.close(code: refusal.code)
    }

    /// The 101 response that hands the connection to `setUp` once upgraded.
    static func response(subprotocol: String?, setUp: @escaping @Sendable (any Channel) -> EventLoopFuture<Void>) -> Response {
        let response = Response(status: .switchingProtocols)
        response.upgrader = SocketUpgrader(subprotocol: subprotocol, setUp: setUp)
        return response
    }
}

extension Request {
    /// A real WebSocket upgrade request (Vapor would otherwise answer 101 without upgrading).
    var isWebSocketUpgrade: Bool {
        let connection = headers[canonicalForm: "connection"].map { $0.lowercased() }
        let upgrade = headers[canonicalForm: "upgrade"].map { $0.lowercased() }
        return connection.contains("upgrade") && upgrade.contains("websocket")
    }

    /// The subprotocols offered, and the token that follows `Bearer` among them
    /// (`Sec-WebSocket-Protocol: Bearer, <token>`), else the `Authorization` bearer token.
    var socketCredentials: (offersBearer: Bool, token: String?) {
        let offered = headers[canonicalForm: "sec-websocket-protocol"].map { String($0).trimmingCharacters(in: .whitespaces) }
        if let index = offered.firstIndex(where: { $0.lowercased() == "bearer" }) {
            let token = offered.index(after: index) < offered.endIndex ? offered[offered.index(after: index)] : nil
            return (true, token?.isEmpty == false ? token : bearerToken)
        }
        return (false, bearerToken)
    }
}
