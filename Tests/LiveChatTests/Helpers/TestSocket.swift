import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import WebSocketKit

/// A real WebSocket client (websocket-kit) that keeps every frame it receives, in order.
final class TestSocket: Sendable {
    let ws: WebSocket
    private let inbox = NIOLockedValueBox<(frames: [String], read: Int)>(([], 0))

    private init(ws: WebSocket) {
        self.ws = ws
    }

    static func connect(port: Int, path: String, query: String?, subprotocols: [String], headers extra: [(String, String)] = []) async throws -> TestSocket {
        var headers = HTTPHeaders()
        if !subprotocols.isEmpty { headers.add(name: "Sec-WebSocket-Protocol", value: subprotocols.joined(separator: ", ")) }
        for (name, value) in extra { headers.add(name: name, value: value) }
        let box = NIOLockedValueBox<TestSocket?>(nil)
        let configuration = WebSocketClient.Configuration(maxFrameSize: 1 << 24)
        let connected: EventLoopFuture<Void> = WebSocket.connect(
            scheme: "ws", host: "127.0.0.1", port: port, path: path, query: query, headers: headers,
            configuration: configuration, on: MultiThreadedEventLoopGroup.singleton
        ) { ws in
            let socket = TestSocket(ws: ws)
            // Registered synchronously on upgrade, so no frame is missed; kept in arrival order.
            ws.onText { _, text in socket.inbox.withLockedValue { $0.frames.append(text) } }
            box.withLockedValue { $0 = socket }
        }
        try await connected.get()
        // The connect future may complete just before the upgrade callback has run.
        let socket = try await eventually { box.withLockedValue { $0 } } until: { $0 != nil }
        guard let socket else { throw TestFailure("no socket") }
        return socket
    }

    func send(_ object: [String: Any]) async throws {
        let data = try JSONSerialization.data(withJSONObject: object)
        try await ws.send(String(decoding: data, as: UTF8.self))
    }

    func sendText(_ text: String) async throws {
        try await ws.send(text)
    }

    func sendFrame(_ bytes: [UInt8], opcode: WebSocketOpcode, fin: Bool = true) async throws {
        let promise = ws.eventLoop.makePromise(of: Void.self)
        ws.send(raw: bytes, opcode: opcode, fin: fin, promise: promise)
        try await promise.futureResult.get()
    }

    /// The next frame not read yet, as JSON.
    func next(timeout: Double = 15) async throws -> JSON {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let frame: String? = inbox.withLockedValue { box in
                guard box.read < box.frames.count else { return nil }
                box.read += 1
                return box.frames[box.read - 1]
            }
            if let frame {
                guard let json = (try? JSONSerialization.jsonObject(with: Data(frame.utf8))) as? JSON else {
                    throw TestFailure("not a JSON object: \(frame)")
                }
                return json
            }
            if ws.isClosed { throw TestFailure("socket closed (code \(String(describing: closeCodeNumber))) while waiting") }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TestFailure("nothing received within \(timeout)s")
    }

    /// The next frame of `type` (and matching `where`), skipping others.
    func next(type: String, timeout: Double = 15, where match: (JSON) -> Bool = { _ in true }) async throws -> JSON {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { throw TestFailure("no \(type) within \(timeout)s") }
            let frame = try await next(timeout: left)
            if frame["type"] as? String == type, match(frame) { return frame }
        }
    }

    /// Every frame received so far, as JSON.
    var received: [JSON] {
        inbox.withLockedValue { $0.frames }.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? JSON }
    }

    /// Waits for the server to close; returns the close code it sent and the frames not read before it.
    func closed(timeout: Double = 15) async throws -> (code: Int?, frames: [JSON]) {
        let deadline = Date().addingTimeInterval(timeout)
        while !ws.isClosed {
            guard Date() < deadline else { throw TestFailure("still open after \(timeout)s") }
            try await Task.sleep(for: .milliseconds(5))
        }
        let unread = inbox.withLockedValue { box -> [String] in
            defer { box.read = box.frames.count }
            return Array(box.frames[box.read...])
        }
        return (closeCodeNumber, unread.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? JSON })
    }

    var closeCodeNumber: Int? {
        guard let code = ws.closeCode else { return nil }
        switch code {
        case .normalClosure: return 1000
        case .goingAway: return 1001
        case .protocolError: return 1002
        case .unacceptableData: return 1003
        case .dataInconsistentWithMessage: return 1007
        case .policyViolation: return 1008
        case .messageTooLarge: return 1009
        case .missingExtension: return 1010
        case .unexpectedServerError: return 1011
        case .unknown(let value): return Int(value)
        }
    }

    func close() async {
        try? await ws.close()
    }
}
