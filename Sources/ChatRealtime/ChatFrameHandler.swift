import NIOCore
import NIOWebSocket

/// Turns WebSocket frames into complete, valid text messages for one connection, enforcing the
/// contract's limits: a message (one frame or reassembled) over `maxMessageBytes` closes with 1009,
/// invalid UTF-8 with 1007, a binary message with 1003, a client over its message rate with an
/// error frame and 1008 (pings and pongs count against the same rate). Frames arrive here in
/// order, on the event loop, and leave in that order through `onText`.
///
/// Heartbeats: every third of `heartbeatTimeout` the socket is pinged when it has been quiet for
/// half of that, and closed (1001) when nothing at all came for two thirds — so a half-open
/// connection is closed within `heartbeatTimeout`.
final class ChatFrameHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let connection: SocketConnection
    private let maxMessageBytes: Int
    private let onText: (String) -> Void
    private let onClosed: () -> Void
    private var assembling: ByteBuffer?
    /// Pongs written since the last flush (they go out at the end of the read).
    private var pongsToFlush = false
    private var limiter: RateLimiter
    private let heartbeat: TimeAmount
    private var lastHeard = NIODeadline.now()
    private var heartbeatTask: RepeatedTask?

    init(connection: SocketConnection, maxMessageBytes: Int, limiter: RateLimiter, heartbeatTimeout: TimeAmount,
         onText: @escaping (String) -> Void, onClosed: @escaping () -> Void) {
        self.connection = connection
        self.maxMessageBytes = maxMessageBytes
        self.limiter = limiter
        self.heartbeat = .nanoseconds(heartbeatTimeout.nanoseconds / 3)
        self.onText = onText
        self.onClosed = onClosed
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        heartbeatTask = context.eventLoop.scheduleRepeatedTask(initialDelay: heartbeat, delay: heartbeat) { _ in
            handler.value.beat()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        heartbeatTask?.cancel()
        heartbeatTask = nil
    }

    /// One heartbeat: a ping to a quiet socket, a close for one silent too long.
    private func beat() {
        let silent = NIODeadline.now() - lastHeard
        if silent >= heartbeat * 2 {
            heartbeatTask?.cancel()
            connection.close(code: .goingAway)
        } else if silent.nanoseconds >= heartbeat.nanoseconds / 2 {
            var payload = connection.channel.allocator.buffer(capacity: 8)
            payload.writeInteger(UInt64(silent.nanoseconds))
            connection.write(payload, opcode: .ping, flush: true)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        lastHeard = .now()
        // RFC 6455 §5.1–5.2: a client masks every frame, and no extension was agreed to give the RSV bits a meaning.
        guard frame.maskKey != nil, !frame.rsv1, !frame.rsv2, !frame.rsv3 else {
            assembling = nil
            connection.close(code: .protocolError)
            return
        }
        switch frame.opcode {
        case .connectionClose:
            var payload = frame.unmaskedData
            connection.peerClosed(code: Self.answer(toClose: &payload))
        case .ping:
            guard !connection.isClosing, withinRate() else { return }
            // Through the socket's bounded queue, like every other frame it sends; flushed once
            // per read (a client sending many pings costs one write, not one per pong).
            connection.write(frame.unmaskedData, opcode: .pong, flush: false)
            pongsToFlush = true
        case .pong:
            _ = withinRate()
        case .text where assembling == nil:
            guard !connection.isClosing else { return }
            if frame.fin {
                complete(frame.unmaskedData)
            } else {
                assembling = frame.unmaskedData
            }
        case .continuation where assembling != nil:
            guard !connection.isClosing, var buffer = assembling else { return }
            var piece = frame.unmaskedData
            guard buffer.readableBytes + piece.readableBytes <= maxMessageBytes else {
                assembling = nil
                connection.close(code: .messageTooLarge)
                return
            }
            buffer.writeBuffer(&piece)
            if frame.fin {
                assembling = nil
                complete(buffer)
            } else {
                assembling = buffer
            }
        case .binary:
            assembling = nil
            connection.close(code: .unacceptableData)
        default:
            assembling = nil
            connection.close(code: .protocolError)
        }
    }

    private func complete(_ buffer: ByteBuffer) {
        guard buffer.readableBytes <= maxMessageBytes else {
            connection.close(code: .messageTooLarge)
            return
        }
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            connection.close(code: .dataInconsistentWithMessage)
            return
        }
        guard withinRate() else { return }
        onText(text)
    }

    /// RFC 6455 §5.5.1, §7.4: a close is answered with the peer's own code, 1000 when it gave
    /// none, 1002 for a one-byte payload or a code no endpoint may send, 1007 for a reason that is
    /// not UTF-8.
    static func answer(toClose payload: inout ByteBuffer) -> WebSocketErrorCode {
        guard payload.readableBytes > 0 else { return .normalClosure }
        guard let code = payload.readInteger(as: UInt16.self),
              (1000...1003).contains(code) || (1007...1011).contains(code) || (3000...4999).contains(code)
        else { return .protocolError }
        guard String(validating: payload.readableBytesView, as: UTF8.self) != nil else { return .dataInconsistentWithMessage }
        return WebSocketErrorCode(codeNumber: Int(code))
    }

    /// Counts a frame against the socket's rate; past it, an error frame and 1008.
    private func withinRate() -> Bool {
        guard !limiter.allow() else { return true }
        guard !connection.isClosing else { return false }
        connection.sendError("Too many messages: slow down. This connection is being closed.")
        connection.close(code: .policyViolation)
        return false
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? NIOWebSocketError, case .invalidFrameLength = error {
            connection.close(code: .messageTooLarge)
        } else if error is ByteToMessageDecoderError {
            // Bytes after a decoding error: the close has been sent already; they are dropped.
            return
        } else if error is NIOWebSocketError {
            connection.close(code: .protocolError)
        } else {
            context.close(promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if pongsToFlush {
            pongsToFlush = false
            connection.channel.flush()
        }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        onClosed()
        context.fireChannelInactive()
    }
}
