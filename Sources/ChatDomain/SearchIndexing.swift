import Foundation

/// Keeps the search index up to date, off the message writer's path: rounds that index what was
/// stored since the last one (by this node or another), then wait `interval` once there is nothing
/// left. Rounds are small and a busy one is followed by a short pause: on SQLite a round's
/// transaction holds the write lock the message writer needs (measured: rounds of 1,000 doubled
/// the chat's p99).
package struct SearchIndexing: Sendable {
    package static let roundSize = 200
    package static let pause: Duration = .milliseconds(10)

    private let store: any SearchStore
    private let interval: Duration
    private let loop: BackgroundLoop

    /// `failed` hears each round that threw (to log it).
    package init(store: any SearchStore, interval: Duration = .seconds(1), failed: @escaping @Sendable (any Error) -> Void) {
        self.store = store
        self.interval = interval
        loop = BackgroundLoop(failed: failed)
    }

    /// Indexes until cancelled (the server's shutdown).
    package func run() async {
        await loop.run { [store, interval] _ in
            try await store.indexPending(limit: Self.roundSize) < Self.roundSize ? interval : Self.pause
        }
    }
}
