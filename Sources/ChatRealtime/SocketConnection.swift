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
    /// The token it was opened with (nil for a refused socket).
    let claims: TokenClaims?

    /// Bytes written while the socket cannot take more (its peer stopped reading) before it is
    /// closed with 1008: each connection's outbound queue is bounded (`Limits.outboundBytes`,
    /// besides the channel's own 64 KiB before it reports no room).
    private let maxBacklogBytes: Int
    private let metrics: ChatMetrics

    private struct State {
        var closing = false
        /// Bytes written since the channel last had room.
        var backlogBytes = 0
        /// Non-nil while catching up: live events wait here until the stored ones are sent.
        var heldEvents: [HubEvent]?
        /// The last number sent (a chat socket's message `seq`, a feed's `cursor`), once known: a
        /// number at or below it is a repeat (dropped), one past the next is a gap (filled from the
        /// database first).
        var lastNumber: Int?
        /// Before the first message: the session's last number when the catch-up read it. A first
        /// message past the next one comes after a gap; one at or below it had not reached the
        /// socket yet (a client without `last_seq` gets no history, but what is live), so it is sent.
        var floor: Int?
    }

    /// What `admit` decided for an event.
    enum Admission {
        case send
        /// Kept until a catch-up ends, or dropped as a repeat.
        case wait
        /// Kept: the messages after `after` must be read from the database first (`onGap`).
        case fill(after: Int)
    }

    private let state = NIOLockedValueBox(State())
    /// Reads what the socket missed after a number and sends it, then `finishCatchUp`.
    private let gapHandler = NIOLockedValueBox<(@Sendable (Int) -> Void)?>(nil)

    init(channel: any Channel, topic: HubEvent.Topic, identity: Identity, claims: TokenClaims?, catchingUp: Bool, realtime: Realtime) {
        self.channel = channel
        maxBacklogBytes = realtime.limits.outboundBytes
        metrics = realtime.metrics
        self.topic = topic
        self.identity = identity
        self.claims = claims
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

    /// Writes a frame (text, or a ping or pong); on the channel's event loop only. A peer that
    /// stopped reading while more than `maxBacklogBytes` piled up is closed with 1008.
    func write(_ payload: ByteBuffer, opcode: WebSocketOpcode = .text, flush: Bool) {
        let channel = self.channel
        let bound = maxBacklogBytes
        let verdict: Bool? = state.withLockedValue { state in
            guard !state.closing else { return nil }
            if channel.isWritable {
                state.backlogBytes = 0
            } else {
                state.backlogBytes += payload.readableBytes
                if state.backlogBytes > bound { return false }
            }
            return true
        }
        switch verdict {
        case true?:
            channel.write(WebSocketFrame(fin: true, opcode: opcode, data: payload), promise: nil)
            if flush { channel.flush() }
        case false?:
            close(code: .policyViolation)
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

    /// Decides, in the caller's order, whether an event goes out now, waits for the end of a
    /// catch-up (kept here), is a repeat of a message sent already (dropped), or comes after a gap.
    /// Events of one session reach a node from its writer and from the other nodes' (`NodeBus`),
    /// so a socket checks each message's `seq` (each feed event's `cursor`) against the last one it sent.
    func admit(_ event: HubEvent) -> Admission {
        // A session's messages (`seq`) and a business's feed events (`cursor`) are numbered.
        let isNumbered = event.kind == .numbered && event.number != nil
        return state.withLockedValue { state in
            if state.heldEvents != nil {
                state.heldEvents?.append(event)
                return .wait
            }
            guard isNumbered, let number = event.number, let last = state.lastNumber else {
                if isNumbered, let number = event.number {
                    if let floor = state.floor, number > floor + 1 {
                        state.heldEvents = [event]
                        return .fill(after: floor)
                    }
                    state.lastNumber = number
                }
                return .send
            }
            if number <= last { return .wait }
            if number > last + 1 {
                state.heldEvents = [event]
                return .fill(after: last)
            }
            state.lastNumber = number
            return .send
        }
    }

    /// Sets what fills a gap: read the messages after a number, send them, then `finishCatchUp`.
    /// The handler holds the socket's loop, which holds the socket: `nil` (at close) lets both go.
    func onGap(_ handler: (@Sendable (Int) -> Void)?) {
        gapHandler.withLockedValue { $0 = handler }
    }

    /// Asks for the messages after `after` (see `admit`); without a handler the held events go out.
    func fillGap(after: Int) {
        if let handler = gapHandler.withLockedValue({ $0 }) {
            handler(after)
        } else {
            finishCatchUp(lastSent: after, checkingGaps: false)
        }
    }

    /// After the bus was down: asks for whatever the socket may have missed since its last number.
    func refill() {
        let last = state.withLockedValue { state -> Int? in
            guard state.heldEvents == nil, let last = state.lastNumber ?? state.floor else { return nil }
            state.heldEvents = []
            return last
        }
        if let last { fillGap(after: last) }
    }

    /// Writes an admitted event on the channel's event loop; `ended` then closes with 4006.
    func writeOnLoop(_ event: HubEvent, flush: Bool) {
        if event.agentsOnly, identity.isVisitor { return }  // admitted for its number only
        write(event.payload, flush: flush || event.kind == .ended)
        if event.kind == .ended { close(code: .sessionEnded) }
    }

    /// Ends catch-up: writes the held events that are newer than `lastSent` (a `seq` or a
    /// `cursor`), then goes live. The socket then knows its last number (the newest of `lastSent`,
    /// `latest` and those written), or learns it from its first live event.
    /// Without `checkingGaps` (a socket with no gap handler: closing), everything held goes out.
    func finishCatchUp(lastSent: Int, latest: Int? = nil, checkingGaps: Bool = true) {
        while true {
            let (fresh, gapAfter) = state.withLockedValue { state -> ([HubEvent], Int?) in
                let events = state.heldEvents ?? []
                state.heldEvents = events.isEmpty ? nil : []
                var last = max(state.lastNumber ?? 0, lastSent)
                let known = state.lastNumber != nil || lastSent > 0
                if let latest { state.floor = max(state.floor ?? 0, latest) }
                var out: [HubEvent] = []
                for (index, event) in events.enumerated() {
                    guard event.kind == .numbered, let number = event.number else {
                        out.append(event)
                        continue
                    }
                    guard number > last else { continue }
                    // A held message past the next one: what lies between is read first, and
                    // this one and the rest stay held meanwhile.
                    let base = known || !out.isEmpty ? last : state.floor
                    if checkingGaps, let base, number > base + 1 {
                        state.heldEvents = Array(events[index...])
                        state.lastNumber = known || !out.isEmpty ? last : nil
                        return (out, base)
                    }
                    last = number
                    out.append(event)
                }
                state.lastNumber = known || !out.isEmpty ? last : nil
                return (out, nil)
            }
            if !fresh.isEmpty {
                channel.eventLoop.execute { for event in fresh { self.writeOnLoop(event, flush: true) } }
            }
            if let gapAfter {
                fillGap(after: gapAfter)
                return
            }
            if fresh.isEmpty, state.withLockedValue({ $0.heldEvents == nil }) { return }
        }
    }


    /// Sends a close frame with `code` and closes the channel when the peer answers, or after a grace period.
    func close(code: WebSocketErrorCode) {
        // Off the event loop, after what the caller sent before (a `send` then `close` from one
        // thread: the frame goes out, then the close).
        guard channel.eventLoop.inEventLoop else {
            channel.eventLoop.execute { self.close(code: code) }
            return
        }
        let first = state.withLockedValue { state -> Bool in
            defer { state.closing = true }
            return !state.closing
        }
        guard first else { return }
        metrics.socketClosed(code: Int(UInt16(webSocketErrorCode: code)))
        var data = channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        let channel = self.channel
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: data), promise: nil)
        channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
    }

    /// The peer sent a close frame: answer it (unless we started the close) and close the channel.
    func peerClosed(code: WebSocketErrorCode) {
        let weStarted = state.withLockedValue { state -> Bool in
            defer { state.closing = true }
            return state.closing
        }
        if weStarted {
            channel.close(promise: nil)
            return
        }
        var data = channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        let channel = self.channel
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)).whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}
