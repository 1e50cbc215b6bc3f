import Foundation
import NIOCore
import NIOPosix
import NIOConcurrencyHelpers

/// Sends bytes on a plain TCP connection and reads the answer until a marker or the close.
enum RawTCP {
    static func exchange(port: Int, bytes: [UInt8], until marker: String, timeout: Double = 15) async throws -> String {
        let received = NIOLockedValueBox<[UInt8]>([])
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(received: received)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        if !bytes.isEmpty {
            do {
                try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
            } catch where !channel.isActive {
                // The server closed the connection first: what it sent before is the answer.
            }
        }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let text = String(decoding: received.withLockedValue { $0 }, as: UTF8.self)
            if text.contains(marker) || !channel.isActive { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        try? await channel.close()
        return String(decoding: received.withLockedValue { $0 }, as: UTF8.self)
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
