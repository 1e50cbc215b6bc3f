import Foundation

/// A loop of rounds beside the chat (the search indexer, the webhook dispatcher, the retention
/// sweep): each round answers how long to wait before the next. `run` goes on until its task is
/// cancelled (the server's shutdown): each round runs as a task of its own, so the cancellation
/// stops only the wait between rounds, never a database call midway (a call cancelled mid-query
/// could keep its connection). A failing round is reported and the next one backs off (1, 2, 4 …
/// 30 s), so a database that is away is not asked again and again.
package struct BackgroundLoop: Sendable {
    private let failed: @Sendable (any Error) -> Void

    /// `failed` hears each round that threw (to log it).
    package init(failed: @escaping @Sendable (any Error) -> Void) {
        self.failed = failed
    }

    /// Runs the rounds until cancelled; `round` gets its number (0, 1, 2 …).
    package func run(_ round: @escaping @Sendable (Int) async throws -> Duration) async {
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

    /// The wait after `failures` failed rounds in a row: 1, 2, 4 … 30 s.
    static func backoff(_ failures: Int) -> Duration {
        .seconds(min(30, 1 << min(failures - 1, 5)))
    }
}
