import Foundation

/// A loop of rounds beside the chat (the search indexer, the webhook dispatcher, the retention
/// sweep): each round answers how long to wait before the next. Each round runs as a task of its
/// own, so stopping cancels only the wait between rounds, never a database call midway (a call
/// cancelled mid-query could keep its connection), and a stop waits at most 5 s for the round in
/// progress. A failing round is reported and the next one backs off (1, 2, 4 … 30 s), so a
/// database that is away is not asked again and again.
package actor BackgroundLoop {
    private let failed: @Sendable (any Error) -> Void
    private var running: Task<Void, Never>?

    /// `failed` hears each round that threw (to log it).
    package init(failed: @escaping @Sendable (any Error) -> Void) {
        self.failed = failed
    }

    /// Starts the rounds; `round` gets its number (0, 1, 2 …).
    package func start(_ round: @escaping @Sendable (Int) async throws -> Duration) {
        guard running == nil else { return }
        running = Task { [failed] in
            var number = 0
            var failures = 0
            while !Task.isCancelled {
                var wait: Duration
                do {
                    wait = try await Task { [number] in try await round(number) }.value
                    failures = 0
                } catch {
                    failed(error)
                    failures += 1
                    wait = Self.backoff(failures)
                }
                number += 1
                try? await Task.sleep(for: wait)
            }
        }
    }

    package func stop() async {
        guard let running else { return }
        running.cancel()
        self.running = nil
        await awaitFinish(of: running, atMost: .seconds(5))
    }

    /// The wait after `failures` failed rounds in a row: 1, 2, 4 … 30 s.
    static func backoff(_ failures: Int) -> Duration {
        .seconds(min(30, 1 << min(failures - 1, 5)))
    }
}
