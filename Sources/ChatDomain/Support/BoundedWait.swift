import Synchronization

/// Waits for `task` to finish, but no longer than `limit`: a background loop stopping at shutdown
/// must not hold the server up if a call it is in never answers (a database connection lost
/// mid-query). The task is left to finish, or not, on its own.
package func awaitFinish(of task: Task<Void, Never>, atMost limit: Duration) async {
    let once = ResumeOnce()
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        Task {
            await task.value
            once.resume(continuation)
        }
        Task {
            try? await Task.sleep(for: limit)
            once.resume(continuation)
        }
    }
}

/// Resumes a continuation the first time only.
private final class ResumeOnce: Sendable {
    private let done = Mutex(false)

    func resume(_ continuation: CheckedContinuation<Void, Never>) {
        let first = done.withLock { done in
            defer { done = true }
            return !done
        }
        if first { continuation.resume() }
    }
}
