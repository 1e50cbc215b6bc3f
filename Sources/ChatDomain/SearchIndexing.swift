import Foundation

/// Keeps the search index up to date, off the message writer's path: a task that indexes what
/// was stored since its last round (by this node or another), then waits `interval` once there is
/// nothing left. A failed round (the database away) is tried again after the wait. Rounds are
/// small and a busy one is followed by a short pause: on SQLite a round's transaction holds the
/// write lock the message writer needs (measured: rounds of 1,000 doubled the chat's p99).
package actor SearchIndexing {
    package static let roundSize = 200
    package static let pause: Duration = .milliseconds(10)

    private let store: any SearchStore
    private let interval: Duration
    private let failed: @Sendable (any Error) -> Void
    private var running: Task<Void, Never>?

    /// `failed` hears each round that threw (to log it).
    package init(store: any SearchStore, interval: Duration = .seconds(1), failed: @escaping @Sendable (any Error) -> Void) {
        self.store = store
        self.interval = interval
        self.failed = failed
    }

    package func start() {
        guard running == nil else { return }
        running = Task { [store, interval, failed] in
            var failures = 0
            while !Task.isCancelled {
                var indexed = 0
                do {
                    // A task of its own: stopping cancels the wait between rounds, never a round
                    // midway (a database call cancelled mid-query could keep its connection).
                    indexed = try await Task { try await store.indexPending(limit: Self.roundSize) }.value
                    failures = 0
                } catch {
                    failed(error)
                    failures += 1
                }
                try? await Task.sleep(for: failures > 0 ? Self.backoff(failures) : indexed < Self.roundSize ? interval : Self.pause)
            }
        }
    }

    /// The wait after `failures` failed rounds in a row: 1, 2, 4 … 30 s (the database away is not
    /// asked again and again).
    package static func backoff(_ failures: Int) -> Duration {
        .seconds(min(30, 1 << min(failures - 1, 5)))
    }

    package func stop() async {
        guard let running else { return }
        running.cancel()
        self.running = nil
        await awaitFinish(of: running, atMost: .seconds(5))
    }
}
