import Foundation
import NIOConcurrencyHelpers

/// Counts sockets' serial work still running, so shutdown can wait for it.
package final class LoopCounter: Sendable {
    private let count = NIOLockedValueBox(0)

    package init() {}

    func enter() { count.withLockedValue { $0 += 1 } }
    func leave() { count.withLockedValue { $0 -= 1 } }
    var active: Int { count.withLockedValue { $0 } }
}

extension Realtime {
    static let drainGrace: Duration = .seconds(5)

    /// The first step of shutdown: every socket gets 1001, and the frames already received are
    /// handled (handed to the writer) before this returns, or after `drainGrace`.
    package func drainSockets() async {
        sessions.closeAll()
        feeds.closeAll()
        let deadline = ContinuousClock.now + Self.drainGrace
        // Until every socket has closed and its remaining work (frames, goodbyes) is done.
        while loops.active > 0 || connectionCount > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
