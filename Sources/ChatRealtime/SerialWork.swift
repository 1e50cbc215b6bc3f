import NIOConcurrencyHelpers

/// The asynchronous work of one socket (catch-up, frames off the fast path, the goodbye), run one
/// item at a time in the order submitted by a task that exists only while there is work: an idle
/// socket holds no task. Counted in `LoopCounter` while running, so shutdown can wait for it.
final class SerialWork: Sendable {
    typealias Item = @Sendable () async -> Void

    private let state = NIOLockedValueBox<(queue: [Item], running: Bool)>(([], false))
    private let counter: LoopCounter

    init(counter: LoopCounter) {
        self.counter = counter
    }

    func submit(_ item: @escaping Item) {
        let start = state.withLockedValue { state -> Bool in
            state.queue.append(item)
            guard !state.running else { return false }
            state.running = true
            return true
        }
        guard start else { return }
        counter.enter()
        Task {
            while let next = take() { await next() }
            counter.leave()
        }
    }

    /// The next item; when there is none, the task ends (decided in the same critical section,
    /// so an item submitted meanwhile starts a new one).
    private func take() -> Item? {
        state.withLockedValue { state in
            guard !state.queue.isEmpty else {
                state.running = false
                return nil
            }
            return state.queue.removeFirst()
        }
    }
}
