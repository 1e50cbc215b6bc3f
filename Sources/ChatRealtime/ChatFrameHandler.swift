import NIOCore
import NIOWebSocket

/// Turns WebSocket frames into complete, valid text messages for one connection, enforcing the
/// contract's limits: a message (one frame or reassembled) over `maxMessageBytes` closes with 1009,
/// invalid UTF-8 with 1007, a binary message with 1003, a client over its message rate with 1008. Frames arrive here in order, on the event
/// loop, and leave in that order through `onText`.
final class ChatFrameHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let connection: SocketConnection
    private let maxMessageBytes: Int
    private let onText: (String) -> Void
    private let onClosed: () -> Void
    private var assembling: ByteBuffer?
    private var limiter: RateLimiter

    init(connection: SocketConnection, maxMessageBytes: Int, limiter: RateLimiter, onText: @escaping (String) -> Void, onClosed: @escaping () -> Void) {
        self.connection = connection
        self.maxMessageBytes = maxMessageBytes
        self.limiter = limiter
        self.onText = onText
        self.onClosed = onClosed
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .connectionClose:
            var payload = frame.unmaskedData
            connection.peerClosed(code: payload.readWebSocketErrorCode())
        case .ping:
            guard !connection.isClosing else { return }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .pong:
            break
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
        guard limiter.allow() else {
            connection.close(code: .policyViolation)
            return
        }
        onText(text)
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

    func channelInactive(context: ChannelHandlerContext) {
        onClosed()
        context.fireChannelInactive()
    }
}
