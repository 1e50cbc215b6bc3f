import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A webhook receiver on loopback: answers each POST with the status `answer` gives for the
/// delivery's `id` and how many times that id came before, and keeps what it received.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        let body: Data
        let signature: String?
        let status: Int
        let at: Date

        var json: JSON { (try? JSONSerialization.jsonObject(with: body)) as? JSON ?? [:] }
        var id: String? { json["id"] as? String }
    }

    typealias Answer = @Sendable (_ id: String, _ before: Int) -> Int

    private let received = NIOLockedValueBox<[Received]>([])
    private let answer: NIOLockedValueBox<Answer>
    private let channel: any Channel

    var url: String { "http://127.0.0.1:\(channel.localAddress?.port ?? 0)/hooks" }

    var all: [Received] { received.withLockedValue { $0 } }

    init(answer: @escaping Answer) async throws {
        let box = NIOLockedValueBox<Answer>(answer)
        self.answer = box
        let received = self.received
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(received: received, answer: box))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func answer(with answer: @escaping Answer) {
        self.answer.withLockedValue { $0 = answer }
    }

    func stop() async {
        try? await channel.close()
    }

    /// Whether `signature` (`t=…,v1=…`) signs `body` with `secret`.
    static func verify(_ signature: String?, body: Data, secret: String) -> Bool {
        guard let signature else { return false }
        var parts: [Substring: Substring] = [:]
        for part in signature.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { parts[pair[0]] = pair[1] }
        }
        guard let t = parts["t"], let v1 = parts["v1"] else { return false }
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(t).".utf8) + body, using: SymmetricKey(data: Data(secret.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined() == v1
    }

    private final class Handler: ChannelInboundHandler, Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let received: NIOLockedValueBox<[Received]>
        private let answer: NIOLockedValueBox<Answer>
        private let request = NIOLockedValueBox<(head: HTTPRequestHead?, body: Data)>((nil, Data()))

        init(received: NIOLockedValueBox<[Received]>, answer: NIOLockedValueBox<Answer>) {
            self.received = received
            self.answer = answer
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): request.withLockedValue { $0 = (head, Data()) }
            case .body(var buffer): request.withLockedValue { $0.body += buffer.readBytes(length: buffer.readableBytes) ?? [] }
            case .end:
                let (head, body) = request.withLockedValue { $0 }
                let id = ((try? JSONSerialization.jsonObject(with: body)) as? JSON)?["id"] as? String ?? ""
                let policy = answer.withLockedValue { $0 }
                let status = received.withLockedValue { list in
                    let status = policy(id, list.filter { $0.id == id }.count)
                    list.append(Received(body: body, signature: head?.headers.first(name: "X-Livechat-Signature"), status: status, at: Date()))
                    return status
                }
                var headers = HTTPHeaders()
                headers.add(name: "Content-Length", value: "0")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers))),
                              promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
