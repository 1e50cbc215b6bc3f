import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import WebSocketKit

/// One chat socket of the benchmark. Frames reach `onFrame` in arrival order, on the socket's
/// event loop (the synchronous callback: websocket-kit's async one reorders).
final class BenchSocket: Sendable {
    let ws: WebSocket

    private init(ws: WebSocket) {
        self.ws = ws
    }

    /// Connects and waits for `connection_established`; returns the socket and the handshake time.
    static func open(base: String, session: String, lastSeq: Int? = nil, token: String, group: any EventLoopGroup,
                     onFrame: @escaping @Sendable (String) -> Void) async throws -> (BenchSocket, UInt64) {
        guard let url = URL(string: base), let host = url.host else { throw BenchError("bad URL \(base)") }
        let started = DispatchTime.now().uptimeNanoseconds
        var headers = HTTPHeaders()
        headers.add(name: "Sec-WebSocket-Protocol", value: "Bearer, \(token)")
        let established = group.any().makePromise(of: Void.self)
        let box = NIOLockedValueBox<WebSocket?>(nil)
        let connected: EventLoopFuture<Void> = WebSocket.connect(
            scheme: "ws", host: host, port: url.port ?? 80, path: "/ws/visitor-chat/",
            query: "session_id=\(session)" + (lastSeq.map { "&last_seq=\($0)" } ?? ""),
            headers: headers, configuration: .init(maxFrameSize: 1 << 20), on: group
        ) { ws in
            box.withLockedValue { $0 = ws }
            let first = NIOLockedValueBox(true)
            ws.onText { _, text in
                let isFirst = first.withLockedValue { value -> Bool in defer { value = false }; return value }
                if isFirst {
                    if text.contains("connection_established") { established.succeed(()) } else { established.fail(BenchError(text)) }
                    return
                }
                onFrame(text)
            }
            ws.onClose.whenComplete { _ in established.fail(BenchError("closed before connection_established")) }
        }
        try await connected.get()
        try await established.futureResult.get()
        guard let ws = box.withLockedValue({ $0 }) else { throw BenchError("no socket") }
        return (BenchSocket(ws: ws), DispatchTime.now().uptimeNanoseconds - started)
    }

    func send(_ text: String) {
        ws.send(text, promise: nil)
    }

    /// Returns once the socket is closed, not only asked to close: frames the server sent before
    /// it saw the close still reach `onFrame` until then (the reconnect storm counted such a late
    /// copy of its "away" message as a repeat).
    func close() async {
        try? await ws.close()
        try? await ws.onClose.get()
    }
}
