import Foundation

/// The one thread a SQLite connection's blocking C calls run on, as a task executor: a service
/// that talks to SQLite (the message writer, the WAL checkpointer) runs its async code with this
/// thread as its preferred executor (`SQLiteThread.run`), so its SQLite calls block this thread
/// and never one of the concurrency pool's few threads (two on this project's machine).
///
/// The thread exists while the service runs: `run` starts it and ends it when its body returns.
/// Jobs are queued under a lock and the thread sleeps on a condition while there are none: one
/// wake-up per batch of jobs, however many.
///
/// Safe to share although it holds mutable state: `jobs` and `stopped` are only read or written
/// between `condition.lock()` and `condition.unlock()`.
final class SQLiteThread: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopped = false

    private init(name: String) {
        let thread = Thread { [self] in work() }
        thread.name = name
        thread.start()
    }

    /// Runs `body` with a new thread as its preferred executor; the thread ends after it.
    static func run<T: Sendable>(named name: String, _ body: @Sendable () async throws -> T) async rethrows -> T {
        let thread = SQLiteThread(name: name)
        defer { thread.finish() }
        return try await withTaskExecutorPreference(thread) { try await body() }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        if jobs.count == 1 { condition.signal() }
        condition.unlock()
    }

    /// Lets the thread end once it has run the jobs queued.
    private func finish() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func work() {
        let executor = asUnownedTaskExecutor()
        while true {
            condition.lock()
            while jobs.isEmpty, !stopped { condition.wait() }
            let taken = jobs
            jobs = []
            let done = taken.isEmpty && stopped
            condition.unlock()
            if done { return }
            for job in taken { job.runSynchronously(on: executor) }
        }
    }
}
