import Foundation
import Synchronization

/// A loop of rounds beside the chat (the search indexer, the webhook dispatcher, the retention
/// sweep): each round answers how long to wait before the next. `run` goes on until its task is
/// cancelled (the server's shutdown): each round runs as a task of its own, so the cancellation
/// stops only the wait between rounds, never a database call midway (a call cancelled mid-query
/// could keep its connection), and `run` waits at most 5 s for the round in progress (a call on a
/// lost connection that never answers must not hold the shutdown up). A failing round is reported
/// and the next one backs off (1, 2, 4 … 30 s), so a database that is away is not asked again and again.
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
            guard let outcome = await Self.outcome(of: Task { [number] in try await round(number) }) else { return }
            do {
                wait = try outcome.get()
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

    /// The round's outcome; nil when `run` is cancelled and the round has not ended 5 s later.
    private static func outcome(of round: Task<Duration, any Error>) async -> Result<Duration, any Error>? {
        let once = Once()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                once.set(continuation)
                Task { once.resume(await round.result) }
            }
        } onCancel: {
            Task {
                try? await Task.sleep(for: .seconds(5))
                once.resume(nil)
            }
        }
    }

    /// Resumes the waiter once, with the first outcome given (before or after it waits).
    private final class Once: Sendable {
        private struct State {
            var waiter: CheckedContinuation<Result<Duration, any Error>?, Never>?
            var outcome: Result<Duration, any Error>??
        }

        private let state = Mutex(State())

        func set(_ waiter: CheckedContinuation<Result<Duration, any Error>?, Never>) {
            let outcome: Result<Duration, any Error>?? = state.withLock { state in
                guard let outcome = state.outcome else {
                    state.waiter = waiter
                    return nil
                }
                return outcome
            }
            if let outcome { waiter.resume(returning: outcome) }
        }

        func resume(_ outcome: Result<Duration, any Error>?) {
            let waiter = state.withLock { state -> CheckedContinuation<Result<Duration, any Error>?, Never>? in
                guard state.outcome == nil else { return nil }
                state.outcome = .some(outcome)
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: outcome)
        }
    }

    /// The wait after `failures` failed rounds in a row: 1, 2, 4 … 30 s.
    static func backoff(_ failures: Int) -> Duration {
        .seconds(min(30, 1 << min(failures - 1, 5)))
    }
}
