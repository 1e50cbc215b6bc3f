import Foundation
import Synchronization
@testable import ChatDomain

/// Fakes the HTTP webhook sender (`HTTPWebhookSender`, the domain's `WebhookSender`): records the
/// destinations checked and the deliveries posted; refuses the hosts a test names (as the real
/// one refuses private addresses: `ChatError.invalid("url", …)`) and answers posts as the test says.
final class RecordingWebhookSender: WebhookSender, Sendable {
    struct Post: Sendable, Equatable {
        let body: String
        let url: String
        let secret: String
        let time: Date
    }

    private struct State {
        var refusedHosts: Set<String> = ["localhost", "127.0.0.1", "10.0.0.1", "169.254.169.254"]
        var answer: WebhookAnswer = .status(200)
        var checked: [String] = []
        var posts: [Post] = []
    }

    private let state = Mutex(State())

    init() {}

    /// Hosts refused by `checkDestination` (by default loopback, private and link-local examples).
    func refuse(hosts: Set<String>) { state.withLock { $0.refusedHosts = hosts } }

    /// What every post answers from now on.
    func answer(_ answer: WebhookAnswer) { state.withLock { $0.answer = answer } }

    var checked: [String] { state.withLock { $0.checked } }
    var posts: [Post] { state.withLock { $0.posts } }

    func checkDestination(_ url: String) async throws {
        let host = URLComponents(string: url)?.host
        let refused = state.withLock { state in
            state.checked.append(url)
            return host.map { state.refusedHosts.contains($0.lowercased()) } ?? false
        }
        guard let host, !host.isEmpty else { throw ChatError.invalid("url", "Enter an absolute http or https URL.") }
        if refused { throw ChatError.invalid("url", "The host resolves to a loopback, private or link-local address.") }
    }

    func post(_ body: String, to url: String, secret: String, at time: Date) async -> WebhookAnswer {
        state.withLock { state in
            state.posts.append(Post(body: body, url: url, secret: secret, time: time))
            return state.answer
        }
    }
}
