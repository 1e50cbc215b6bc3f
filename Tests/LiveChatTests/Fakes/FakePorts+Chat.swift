import Foundation
import Synchronization
@testable import ChatDomain

/// The domain's services built on the fakes, as `configure` builds them on the real ports.
extension FakePorts {
    /// Small limits, so that the tests can reach them.
    static let settings = ChatSettings(maxTextLength: 100, maxUploadBytes: 1 << 20, maxUploadsPerSession: 3,
                                       maxUploadBytesPerSession: 1 << 20, visitorTokenLifetime: 3600, agentTokenLifetime: 3600)

    /// Every service (`Chat`) on these ports; presence reads who is online from the store's rows
    /// (`InMemoryStore.markOnlineNow`).
    func chat(settings: ChatSettings = FakePorts.settings) -> Chat {
        Chat(stores: Stores(all: store), log: log, files: files, tokens: tokens, hasher: hasher,
             presence: Presence(log: log, store: store, grace: .seconds(1), heartbeat: .seconds(10)), logins: LoginThrottle(),
             settings: settings)
    }
}

/// A clock a test moves by hand (for `InMemoryEventLog`'s dates).
final class FakeClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date) {
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    func set(_ date: Date) { current.withLock { $0 = date } }

    func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// The JSON object of a feed draft (what a test reads of an event).
func object(of draft: FeedDraft) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: draft.payload)) as? [String: Any] ?? [:]
}
