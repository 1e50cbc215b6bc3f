import AsyncHTTPClient
import ChatDomain
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Sends webhook deliveries with AsyncHTTPClient: redirects are not followed (a public URL could
/// redirect to a private one), and every try checks again where the host resolves to.
package final class HTTPWebhookSender: WebhookSender {
    private let client: HTTPClient
    private let allowPrivate: Bool

    package init(allowPrivate: Bool) {
        self.allowPrivate = allowPrivate
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow,
                                                     timeout: .init(connect: .seconds(10), read: .seconds(10)))
        configuration.decompression = .disabled
        client = HTTPClient(eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton), configuration: configuration)
    }

    /// Bounded: a try cut short by the shutdown is tried again later (its lease runs out).
    package func shutdown() async {
        let client = self.client
        await awaitFinish(of: Task { try? await client.shutdown() }, atMost: .seconds(5))
    }

    package func checkDestination(_ url: String) async throws {
        guard !allowPrivate else { return }
        guard let host = URLComponents(string: url)?.host, !host.isEmpty else { throw ChatError.invalid("url", "Enter an absolute http or https URL.") }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let addresses = try await NIOThreadPool.singleton.runIfActive { AddressPolicy.resolve(bare) }
        guard !addresses.isEmpty else { throw ChatError.invalid("url", "The host \(bare.prefix(100)) does not resolve.") }
        guard !addresses.contains(where: AddressPolicy.isPrivate) else {
            throw ChatError.invalid("url", "The host resolves to a loopback, private or link-local address.")
        }
    }

    package func post(_ body: String, to url: String, secret: String, at time: Date) async -> WebhookAnswer {
        let seconds = Int(time.timeIntervalSince1970)
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(seconds).\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "livechat-webhooks")
        request.headers.add(name: "X-Livechat-Signature", value: "t=\(seconds),v1=\(mac.map { String(format: "%02x", $0) }.joined())")
        request.body = .bytes(ByteBuffer(string: body))
        do {
            let response = try await client.execute(request, timeout: .seconds(Int64(Webhooks.timeout.components.seconds)))
            // The answer's body is not needed: read (at most 64 KiB of) it so the connection is reusable.
            _ = try? await response.body.collect(upTo: 1 << 16)
            return .status(Int(response.status.code))
        } catch {
            return .failed(Self.reason(error))
        }
    }

    private static func reason(_ error: any Error) -> String {
        if let client = error as? HTTPClientError {
            switch client {
            case .deadlineExceeded, .readTimeout, .connectTimeout: return "No answer within \(Webhooks.timeout.components.seconds) s."
            default: return "HTTP client error: \(client)"
            }
        }
        return "Could not connect: \(String(describing: error).prefix(200))"
    }
}
