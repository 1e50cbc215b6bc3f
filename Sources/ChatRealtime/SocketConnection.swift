import ChatDomain
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket

/// One open socket (a session's chat socket or an agent feed) on its channel: writes frames (in
/// call order), bounds what waits to be written, holds events while the client catches up, and
/// closes with a code.
final class SocketConnection: Sendable {
    let id = UUID()
    let channel: any Channel
    let topic: HubEvent.Topic
    let identity: Identity

    /// Frames written while the socket cannot take more (its peer stopped reading) before the
    /// connection is dropped: each connection's outbound queue is bounded.
    static let maxBacklog = 4096

    private struct State {
        var closing = false
        /// Frames written since the channel last had room.
        var backlog = 0
        /// Non-nil while catching up: live events wait here until the stored ones are sent.
        var heldEvents: [HubEvent]?
    }

    private let state = NIOLockedValueBox(State())

    init(channel: any Channel, topic: HubEvent.Topic, identity: Identity, catchingUp: Bool) {
        self.channel = channel
        self.topic = topic
        self.identity = identity
        if catchingUp { state.withLockedValue { $0.heldEvents = [] } }
    }

    var isClosing: Bool { state.withLockedValue { $0.closing } }

    /// Sends one text frame unless the connection is closing. From another thread the write hops
    /// to the channel's event loop; sends made from one thread keep their order.
    func send(_ payload: ByteBuffer) {
        if channel.eventLoop.inEventLoop {
            write(payload, flush: true)
        } else {
            channel.eventLoop.execute { self.write(payload, flush: true) }
        }
    }

    /// Writes a frame; on the channel's event loop only. A peer that stopped reading while
    /// `maxBacklog` frames piled up is disconnected.
    func write(_ payload: ByteBuffer, flush: Bool) {
        let channel = self.channel
        let verdict: Bool? = state.withLockedValue { state in
            guard !state.closing else { return nil }
            if channel.isWritable {
                state.backlog = 0
            } else {
                state.backlog += 1
                if state.backlog > Self.maxBacklog {
                    state.closing = true
                    return false
                }
            }
            return true
        }
        switch verdict {
        case true?:
            channel.write(WebSocketFrame(fin: true, opcode: .text, data: payload), promise: nil)
            if flush { channel.flush() }
        case false?:
            channel.close(promise: nil)
        case nil:
            break
        }
    }

    func send<T: Encodable>(json value: T) {
        send(JSONFrame.encode(value, allocator: channel.allocator))
    }

    func sendError(_ message: String) {
        send(json: ServerFrame.error(message))
    }

    /// Decides, in the caller's order, whether an event goes out now (true) or waits for the end
    /// of catch-up (false, kept here).
    func admit(_ event: HubEvent) -> Bool {
        state.withLockedValue { state in
            guard state.heldEvents != nil else { return true }
            state.heldEvents?.append(event)
            return false
        }
    }

    /// Writes an admitted event on the channel's event loop; `ended` then closes with 4006.
    func writeOnLoop(_ event: HubEvent, flush: Bool) {
        write(event.payload, flush: flush || event.kind == .ended)
        if event.kind == .ended { close(code: .sessionEnded) }
    }

    /// Ends catch-up: writes the held events that are newer than `lastSent` (a `seq` or a
    /// `cursor`), then goes live.
    func finishCatchUp(lastSent: Int) {
        while true {
            let batch = state.withLockedValue { state -> [HubEvent] in
                let events = state.heldEvents ?? []
                state.heldEvents = events.isEmpty ? nil : []
                return events
            }
            if batch.isEmpty { return }
            let fresh = batch.filter { event in event.number.map { $0 > lastSent } ?? true }
            if !fresh.isEmpty {
                channel.eventLoop.execute { for event in fresh { self.writeOnLoop(event, flush: true) } }
            }
        }
    }

    /// Sends a close frame with `code` and closes the channel when the peer answers, or after a grace period.
    func close(code: WebSocketErrorCode) {
        let first = state.withLockedValue { state -> Bool in
            defer { state.closing = true }
            return !state.closing
        }
        guard first else { return }
        var data = channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        let channel = self.channel
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: data), promise: nil)
        channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
    }

    /// The peer sent a close frame: answer it (unless we started the close) and close the channel.
    func peerClosed(code: WebSocketErrorCode?) {
        let weStarted = state.withLockedValue { state -> Bool in
            defer { state.closing = true }
            return state.closing
        }
        if weStarted {
            channel.close(promise: nil)
            return
        }
        var data = channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code ?? .normalClosure)
        let channel = self.channel
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)).whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}
