import ChatDomain
import NIOCore
import NIOWebSocket

/// The one mapping from the chat's answers to what a socket client sees: error frames
/// (`{"type": "error", "message": ...}`) and the seed's close codes.
extension WebSocketErrorCode {
    static let missingSession = WebSocketErrorCode.unknown(4001)
    static let invalidSession = WebSocketErrorCode.unknown(4002)
    static let unauthorized = WebSocketErrorCode.unknown(4003)
    static let sessionEnded = WebSocketErrorCode.unknown(4006)
}

/// A refused chat message or frame: its sentence as an error frame; a message for a session that
/// has ended also closes the socket with 4006.
extension SocketConnection: MessageOrigin {
    func refused(_ error: ChatError) {
        sendError(error.message)
        if error == .sessionEnded { close(code: .sessionEnded) }
    }

    /// A resent `client_id`: the sender gets the stored message again, nobody else does.
    func repeated(_ stored: WireMessage) {
        send(channel.allocator.buffer(string: stored.json))
    }
}

/// A socket refused at the handshake: the close code, and the frames sent before it.
struct SocketRefusal {
    let code: WebSocketErrorCode
    let preface: [ByteBuffer]

    /// nil when the socket is accepted.
    init?(_ admission: SocketAdmission, allocator: ByteBufferAllocator) {
        switch admission {
        case .accept:
            return nil
        case .missingSession:
            self.init(code: .missingSession, preface: [])
        case .invalidSession:
            self.init(code: .invalidSession, preface: [])
        case .unauthorized:
            self.init(code: .unauthorized, preface: [])
        case .ended(let session, let endedAt, let missed?):
            self.init(code: .sessionEnded, preface: missed.map { allocator.buffer(string: $0.json) }
                + [JSONFrame.encode(ServerFrame.sessionEnded(session, at: endedAt), allocator: allocator)])
        case .ended(_, _, nil):
            self.init(code: .sessionEnded, preface: [JSONFrame.encode(ServerFrame.error(ChatError.sessionEnded.message), allocator: allocator)])
        }
    }

    init(code: WebSocketErrorCode, preface: [ByteBuffer]) {
        self.code = code
        self.preface = preface
    }
}
