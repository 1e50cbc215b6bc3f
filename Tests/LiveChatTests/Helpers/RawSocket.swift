import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A WebSocket client written by hand on a TCP channel, so it can vanish without a close frame.
/// It keeps every byte the server sends, and reads the server's frames from them.
struct RawSocket: Sendable {
    let channel: any Channel
    private let received: NIOLockedValueBox<[UInt8]>

    /// Connects and sends the upgrade request; returns once the `101` response has arrived.
    static func open(port: Int, path: String, token: String, timeout: Double = 15) async throws -> RawSocket {
        let received = NIOLockedValueBox<[UInt8]>([])
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(received: received)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        let socket = RawSocket(channel: channel, received: received)
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: Bearer, \(token)\r\n\r\n"
        try await channel.writeAndFlush(ByteBuffer(string: request)).get()
        let head = try await socket.wait(timeout: timeout, for: "the 101 response") { $0.headEnd }
        guard head.status.hasPrefix("HTTP/1.1 101") else {
            try? await channel.close()
            throw TestFailure("upgrade refused: \(head.status)")
        }
        return socket
    }

    /// One frame (text by default), masked as a client's must be unless `masked` is false, with
    /// the RSV bits `rsv` (0 to 7) set.
    func send(_ payload: [UInt8], opcode: UInt8 = 0x1, masked: Bool = true, rsv: UInt8 = 0) async throws {
        var frame: [UInt8] = [0x80 | rsv << 4 | opcode]
        let maskBit: UInt8 = masked ? 0x80 : 0
        if payload.count < 126 {
            frame.append(maskBit | UInt8(payload.count))
        } else {
            frame += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        }
        guard masked else {
            try await channel.writeAndFlush(ByteBuffer(bytes: frame + payload)).get()
            return
        }
        let mask: [UInt8] = [1, 2, 3, 4]
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try await channel.writeAndFlush(ByteBuffer(bytes: frame)).get()
    }

    func sendText(_ text: String) async throws {
        try await send(Array(text.utf8))
    }

    /// Sends a ping and waits for its pong. The server reads a connection's frames in order, so
    /// once the pong is back, every frame sent before the ping has been read by the server.
    func roundTrip(timeout: Double = 15) async throws {
        let tag = Array(UUID().uuidString.utf8.prefix(16))
        try await send(tag, opcode: 0x9)
        _ = try await wait(timeout: timeout, for: "the pong") { state -> Bool? in
            state.frames.contains { $0.opcode == 0xA && $0.payload == tag } ? true : nil
        }
    }

    /// The text frames the server sent so far.
    var texts: [String] {
        received.withLockedValue { Self.parse($0) }?.frames.filter { $0.opcode == 0x1 }
            .map { String(decoding: $0.payload, as: UTF8.self) } ?? []
    }

    /// Stops reading from the connection (the server's frames pile up in the kernel, then in its queue).
    func stopReading() async throws {
        try await channel.setOption(ChannelOptions.autoRead, value: false).get()
    }

    /// How many pings the server sent so far.
    var pings: Int {
        received.withLockedValue { Self.parse($0) }?.frames.filter { $0.opcode == 0x9 }.count ?? 0
    }

    /// Waits until the server closed the connection; returns the code of its close frame, if one came.
    func closedCode(timeout: Double = 15) async throws -> Int? {
        let deadline = Date().addingTimeInterval(timeout)
        while channel.isActive {
            guard Date() < deadline else { throw TestFailure("still open after \(timeout)s") }
            try await Task.sleep(for: .milliseconds(10))
        }
        let close = received.withLockedValue { Self.parse($0) }?.frames.first { $0.opcode == 0x8 }
        guard let payload = close?.payload, payload.count >= 2 else { return nil }
        return Int(payload[0]) << 8 | Int(payload[1])
    }

    /// Closes the TCP connection: no close frame.
    func drop() async throws {
        try await channel.close()
    }

    private func wait<T>(timeout: Double, for what: String, _ found: (Parsed) -> T?) async throws -> T {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let bytes = received.withLockedValue { $0 }
            if let parsed = Self.parse(bytes), let value = found(parsed) { return value }
            guard channel.isActive else {
                throw TestFailure("connection closed while waiting for \(what); received: \(String(decoding: bytes.prefix(500), as: UTF8.self))")
            }
            guard Date() < deadline else { throw TestFailure("no \(what) within \(timeout)s") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    private struct Frame { let opcode: UInt8; let payload: [UInt8] }
    private struct Parsed {
        var headEnd: (status: String, end: Int)?
        var frames: [Frame] = []
    }

    /// The response head (once complete) and the complete server frames after it.
    private static func parse(_ bytes: [UInt8]) -> Parsed? {
        let marker: [UInt8] = Array("\r\n\r\n".utf8)
        guard bytes.count >= 4, let end = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<$0 + 4]) == marker }) else {
            return Parsed()
        }
        let head = String(decoding: bytes[..<end], as: UTF8.self)
        var parsed = Parsed(headEnd: (String(head.split(separator: "\r\n").first ?? ""), end + 4))
        var index = end + 4
        while index + 2 <= bytes.count {
            let opcode = bytes[index] & 0x0F
            var length = Int(bytes[index + 1] & 0x7F)
            var start = index + 2
            if length == 126 {
                guard start + 2 <= bytes.count else { break }
                length = Int(bytes[start]) << 8 | Int(bytes[start + 1])
                start += 2
            } else if length == 127 {
                guard start + 8 <= bytes.count else { break }
                length = bytes[start..<start + 8].reduce(0) { $0 << 8 | Int($1) }
                start += 8
            }
            guard start + length <= bytes.count else { break }
            parsed.frames.append(Frame(opcode: opcode, payload: Array(bytes[start..<start + length])))
            index = start + length
        }
        return parsed
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received: NIOLockedValueBox<[UInt8]>
        init(received: NIOLockedValueBox<[UInt8]>) { self.received = received }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            received.withLockedValue { $0 += buffer.readableBytesView }
        }
    }
}
