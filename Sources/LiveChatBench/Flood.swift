import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// One abusive client: it holds `sockets` chat sockets on sessions of its own, sends each a ping
/// with a 125-byte payload and a `typing` frame (relayed to every other socket of its session)
/// in turn, `perSocketRate` frames a second, and never reads (with a 4 KiB receive buffer). What
/// the server sends back piles up until the server closes the socket (the outbound bound, 1008);
/// the client opens another at once.
final class Flood: Sendable {
    struct Summary: Codable {
        var sockets = 0
        var perSocketRate = 0.0
        var framesSent = 0
        /// Sockets the server closed or refused (the flood opened another each time).
        var closedByServer = 0
    }

    private struct Slot {
        var channel: (any Channel)?
        var opening = false
        var sent = 0
    }

    private let base: String
    private let chats: [BenchAPI.Chat]
    private let perSocketRate: Double
    private let group: any EventLoopGroup
    private let slots: NIOLockedValueBox<[Slot]>
    private let counters = NIOLockedValueBox((frames: 0, closed: 0))
    private let running = NIOLockedValueBox(true)
    private let started = NIOLockedValueBox(DispatchTime.now().uptimeNanoseconds)

    init(base: String, chats: [BenchAPI.Chat], sockets: Int, perSocketRate: Double, group: any EventLoopGroup) {
        self.base = base
        self.chats = chats
        self.perSocketRate = perSocketRate
        self.group = group
        slots = NIOLockedValueBox(Array(repeating: Slot(), count: sockets))
    }

    /// Opens every socket.
    func openAll() async throws {
        let count = slots.withLockedValue { $0.count }
        let opened = try await inParallel(count, width: 64) { [self] index in try await open(index) }
        slots.withLockedValue { slots in
            for (index, channel) in opened.enumerated() { slots[index].channel = channel }
        }
    }

    /// Floods until `stop()`, then closes the sockets.
    func flood() async throws {
        let count = slots.withLockedValue { $0.count }
        started.withLockedValue { $0 = DispatchTime.now().uptimeNanoseconds }
        while running.withLockedValue({ $0 }) {
            let due = self.due
            for index in 0..<count { tick(index, due: due) }
            try await Task.sleep(for: .milliseconds(10))
        }
        let channels = slots.withLockedValue { $0.compactMap(\.channel) }
        for channel in channels { try? await channel.close() }
    }

    /// How many frames each socket should have sent since the flood began.
    private var due: Int {
        Int(Double(DispatchTime.now().uptimeNanoseconds - started.withLockedValue { $0 }) / 1e9 * perSocketRate)
    }

    func stop() {
        running.withLockedValue { $0 = false }
    }

    var summary: Summary {
        let counted = counters.withLockedValue { $0 }
        return Summary(sockets: slots.withLockedValue { $0.count }, perSocketRate: perSocketRate,
                       framesSent: counted.frames, closedByServer: counted.closed)
    }

    /// Sends the frames slot `index` owes by now; reopens a socket the server closed.
    private func tick(_ index: Int, due: Int) {
        let (channel, owed, reopen) = slots.withLockedValue { slots -> ((any Channel)?, Int, Bool) in
            guard let channel = slots[index].channel, channel.isActive else {
                let reopen = !slots[index].opening
                if reopen {
                    slots[index].opening = true
                    slots[index].channel = nil
                }
                return (nil, 0, reopen)
            }
            let owed = max(0, due - slots[index].sent)
            slots[index].sent += owed
            return (channel, owed, false)
        }
        if reopen {
            counters.withLockedValue { $0.closed += 1 }
            Task { [self] in
                let channel = try? await open(index)
                let now = due  // the new socket floods from now on, with no backlog
                slots.withLockedValue { slots in
                    slots[index].channel = channel
                    slots[index].opening = false
                    slots[index].sent = now
                }
            }
            return
        }
        guard let channel, owed > 0 else { return }
        var buffer = channel.allocator.buffer(capacity: owed * 140)
        for n in 0..<owed {
            if n % 2 == 0 {
                Self.writeFrame(into: &buffer, opcode: 0x9, payload: Array(repeating: 0x70, count: 125))
            } else {
                Self.writeFrame(into: &buffer, opcode: 0x1, payload: Array(#"{"type":"typing","is_typing":true}"#.utf8))
            }
        }
        counters.withLockedValue { $0.frames += owed }
        channel.writeAndFlush(buffer, promise: nil)
    }

    /// A masked client frame.
    private static func writeFrame(into buffer: inout ByteBuffer, opcode: UInt8, payload: [UInt8]) {
        buffer.writeInteger(0x80 | opcode)
        buffer.writeInteger(0x80 | UInt8(payload.count))  // every payload here is under 126 bytes
        let mask: [UInt8] = [0x1F, 0x2E, 0x3D, 0x4C]
        buffer.writeBytes(mask)
        buffer.writeBytes(payload.enumerated().map { $0.element ^ mask[$0.offset % 4] })
    }

    /// A chat socket of session `index % chats.count`: the upgrade is read, then reading stops for good.
    private func open(_ index: Int) async throws -> any Channel {
        guard let url = URL(string: base), let host = url.host else { throw BenchError("bad URL \(base)") }
        let chat = chats[index % chats.count]
        let upgraded = group.any().makePromise(of: Void.self)
        let channel = try await ClientBootstrap(group: group)
            // A small receive window, as an attacker would set: what the server sends piles up in its own queue sooner.
            .channelOption(.socketOption(.so_rcvbuf), value: 4096)
            .channelInitializer { channel in channel.pipeline.addHandler(UpgradeReader(upgraded: upgraded)) }
            .connect(host: host, port: url.port ?? 80).get()
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let request = "GET /ws/visitor-chat/?session_id=\(chat.session) HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Protocol: Bearer, \(chat.token)\r\n\r\n"
        try await channel.writeAndFlush(ByteBuffer(string: request)).get()
        try await upgraded.futureResult.get()
        try await channel.setOption(ChannelOptions.autoRead, value: false).get()
        return channel
    }

    /// Reads the upgrade's response head; fails unless it is a 101. Drops everything after it.
    private final class UpgradeReader: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        private let upgraded: EventLoopPromise<Void>
        /// The response head read so far; nil once it is complete.
        private let head = NIOLockedValueBox<[UInt8]?>([])

        init(upgraded: EventLoopPromise<Void>) {
            self.upgraded = upgraded
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = Array(buffer: unwrapInboundIn(data))
            let complete = head.withLockedValue { head -> String? in
                guard var read = head else { return nil }
                read += bytes
                guard let end = read.firstRange(of: [13, 10, 13, 10]) else {
                    head = read
                    return nil
                }
                head = nil
                return String(decoding: read[..<end.upperBound], as: UTF8.self)
            }
            if let complete {
                if complete.hasPrefix("HTTP/1.1 101") { upgraded.succeed(()) } else { upgraded.fail(BenchError(String(complete.prefix(80)))) }
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            upgraded.fail(BenchError("closed during the upgrade"))
            context.fireChannelInactive()
        }
    }
}
