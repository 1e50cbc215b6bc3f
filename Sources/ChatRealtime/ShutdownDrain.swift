import Foundation
import Synchronization

/// Counts what shutdown waits for on this node: open sockets (from the hubs) and sockets' serial
/// work still running; wakes the waiters when it reaches zero.
package final class LoopCounter: Sendable {
    private struct State {
        var count = 0
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    package init() {}

    func enter() { state.withLock { $0.count += 1 } }

    func leave() {
        let waiters = state.withLock { state in
            state.count -= 1
            guard state.count <= 0 else { return [CheckedContinuation<Void, Never>]() }
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    var active: Int { state.withLock { $0.count } }

    /// Returns once nothing is counted, or after `limit`.
    func idle(atMost limit: Duration) async {
        let id = UUID()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state in
                guard state.count > 0 else { return true }
                state.waiters[id] = continuation
                return false
            }
            guard !now else { return continuation.resume() }
            Task {
                try? await Task.sleep(for: limit)
                self.state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
            }
        }
    }
}

extension Realtime {
    static let drainGrace: Duration = .seconds(5)

    /// The first step of shutdown: every socket gets 1001, and the frames already received are
    /// handled (handed to the writer) and the goodbyes sent before this returns, or after `drainGrace`.
    package func drainSockets() async {
        sessions.closeAll()
        feeds.closeAll()
        await loops.idle(atMost: Self.drainGrace)
    }
}
