import Foundation
import Logging
import NIOConcurrencyHelpers
import Vapor

/// Copies the WAL back into the database file from a thread of its own, every half second.
/// SQLite would otherwise checkpoint inside whichever commit crosses 1,000 WAL pages — usually the
/// writer's, which would then stall every socket's messages for the copy and its fsyncs. Every
/// connection is opened with `wal_autocheckpoint=0`; a passive checkpoint never blocks the writer.
final class SQLiteCheckpointer: LifecycleHandler, Sendable {
    static let interval = 0.5

    private let path: String
    private let logger: Logger
    /// True once asked to stop; the thread waits on it between checkpoints.
    private let stopped = ConditionLock(value: false)
    private let finished = ConditionLock(value: false)

    init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
        let thread = Thread { [self] in run() }
        thread.start()
    }

    func shutdown(_ application: Application) {
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
        do {
            db = try SQLiteHandle(path: path)
            for pragma in SQLiteTuning.pragmas(cacheKiB: 2048) { try db.execute(pragma) }
        } catch {
            logger.error("WAL checkpointer could not open the database", metadata: ["error": "\(error)"])
            return
        }
        while true {
            let stop = stopped.lock(whenValue: true, timeoutSeconds: Self.interval)
            if stop { stopped.unlock() }
            do {
                try db.execute(stop ? "PRAGMA wal_checkpoint(TRUNCATE)" : "PRAGMA wal_checkpoint(PASSIVE)")
            } catch {
                logger.warning("WAL checkpoint failed", metadata: ["error": "\(error)"])
            }
            if stop { return }
        }
    }
}
