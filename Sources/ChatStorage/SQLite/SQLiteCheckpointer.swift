import Foundation
import Logging
import NIOConcurrencyHelpers

/// Copies the WAL back into the database file from a thread of its own, every half second.
/// SQLite would otherwise checkpoint inside whichever commit crosses 1,000 WAL pages — usually the
/// writer's, which would then stall every socket's messages for the copy and its fsyncs. Every
/// connection is opened with `wal_autocheckpoint=0`; a passive checkpoint never blocks the writer.
///
/// A passive checkpoint alone never lets the WAL start over while messages keep coming: SQLite
/// rewinds it only when a write begins after a checkpoint copied *every* frame, and under steady
/// traffic some commit always lands while the copy runs (measured: 46 MB/s of WAL growth at
/// 5,000 msg/s, without end). So once the WAL holds more than `restartBytes`, a RESTART checkpoint
/// follows the passive one: it waits for the writer to finish its transaction, copies the few
/// frames the passive one missed, and makes the next commit write from the WAL's start. The writer
/// waits meanwhile (4–11 ms measured on this project's machine, docs/BENCHMARKS.md), so this runs
/// only every `restartBytes` of WAL, not every half second.
package final class SQLiteCheckpointer: Sendable {
    static let interval = 0.5

    private let path: String
    private let restartBytes: Int
    private let logger: Logger
    /// True once asked to stop; the thread waits on it between checkpoints.
    private let stopped = ConditionLock(value: false)
    private let finished = ConditionLock(value: false)

    package init(path: String, restartBytes: Int, logger: Logger) {
        self.path = path
        self.restartBytes = restartBytes
        self.logger = logger
        let thread = Thread { [self] in run() }
        thread.start()
    }

    /// Runs a last TRUNCATE checkpoint and ends the thread (waits up to 10 seconds).
    package func stop() {
        stopped.lock()
        stopped.unlock(withValue: true)
        _ = finished.lock(whenValue: true, timeoutSeconds: 10)
        finished.unlock()
    }

    private func run() {
        defer {
            finished.lock()
            finished.unlock(withValue: true)
        }
        let db: SQLiteHandle
        let restartFrames: Int
        do {
            db = try SQLiteHandle(path: path)
            for pragma in SQLiteTuning.pragmas(cacheKiB: 2048) { try db.execute(pragma) }
            restartFrames = restartBytes / (try db.pageSize)  // a WAL database's page size never changes
        } catch {
            logger.error("WAL checkpointer could not open the database", metadata: ["error": "\(LoggedError.describe(error))"])
            return
        }
        while true {
            let stop = stopped.lock(whenValue: true, timeoutSeconds: Self.interval)
            if stop { stopped.unlock() }
            do {
                if stop {
                    db.pollWhenBusy(every: .milliseconds(1), for: .seconds(10))
                    try Self.checkpoint("TRUNCATE", db)
                } else if try Self.checkpoint("PASSIVE", db) > restartFrames {
                    // The writer waits while this holds the write lock, also while it waits for
                    // readers to leave the WAL: give up after 20 ms (SQLITE_BUSY) and try again at
                    // the next turn rather than stall messages behind a long read.
                    db.pollWhenBusy(every: .microseconds(500), for: .milliseconds(20))
                    try Self.checkpoint("RESTART", db)
                }
            } catch {
                logger.warning("WAL checkpoint failed", metadata: ["error": "\(LoggedError.describe(error))"])
            }
            if stop { return }
        }
    }

    /// Runs a checkpoint in `mode`; returns the frames the WAL holds.
    @discardableResult
    private static func checkpoint(_ mode: String, _ db: SQLiteHandle) throws -> Int {
        let statement = try db.statement("PRAGMA wal_checkpoint(\(mode))")
        var frames = 0
        while try statement.step() { frames = statement.int(1) }  // columns: busy, log frames, checkpointed frames
        return frames
    }
}
