import Foundation

/// Keeps the search index up to date, off the message writer's path: a task that indexes what
/// was stored since its last round (by this node or another), then waits `interval` once there is
/// nothing left. A failed round (the database away) is tried again after the wait.
package actor SearchIndexing {
    package static let roundSize = 1000

    private let store: any SearchStore
    private let interval: Duration
    private let failed: @Sendable (any Error) -> Void
    private var running: Task<Void, Never>?

    /// `failed` hears each round that threw (to log it).
    package init(store: any SearchStore, interval: Duration = .milliseconds(500), failed: @escaping @Sendable (any Error) -> Void) {
        self.store = store
        self.interval = interval
        self.failed = failed
    }

    package func start() {
        guard running == nil else { return }
        running = Task { [store, interval, failed] in
            while !Task.isCancelled {
                var indexed = 0
                do {
                    indexed = try await store.indexPending(limit: Self.roundSize)
                } catch {
                    failed(error)
                }
                if indexed < Self.roundSize { try? await Task.sleep(for: interval) }
            }
        }
    }

    package func stop() async {
        running?.cancel()
        await running?.value
        running = nil
    }
}
