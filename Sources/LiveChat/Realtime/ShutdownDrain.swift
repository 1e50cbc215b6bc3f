import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Counts sockets' serial work still running, so shutdown can wait for it.
final class LoopCounter: Sendable {
    private let count = NIOLockedValueBox(0)

    func enter() { count.withLockedValue { $0 += 1 } }
    func leave() { count.withLockedValue { $0 -= 1 } }
    var active: Int { count.withLockedValue { $0 } }
}

/// Shutdown drains: every socket gets 1001, the frames already received are handled, and the
/// writer commits everything queued before the database closes. Nothing accepted is lost.
struct ShutdownDrain: LifecycleHandler {
    static let grace: Duration = .seconds(5)

    func shutdownAsync(_ application: Application) async {
        let chat = application.chat
        chat.sessions.closeAll()
        chat.feeds.closeAll()
        let deadline = ContinuousClock.now + Self.grace
        // Until every socket has closed and its remaining work (frames, goodbyes) is done.
        while chat.loops.active > 0 || chat.sessions.connectionCount + chat.feeds.connectionCount > 0,
              ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        await chat.writer.flush()
        chat.writer.stop()
    }
}
