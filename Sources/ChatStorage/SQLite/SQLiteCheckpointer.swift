import Foundation
import Logging
import ServiceLifecycle

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
///
/// A service of the server's group, on a `SQLiteThread` of its own; stopped after the writer, with
/// a last TRUNCATE checkpoint that leaves the WAL empty.
package struct SQLiteCheckpointer: Service {
    static let interval: Duration = .milliseconds(500)

    private let path: String
    private let restartBytes: Int
    private let logger: Logger

    package init(path: String, restartBytes: Int, logger: Logger) {
        self.path = path
        self.restartBytes = restartBytes
        self.logger = logger
    }

    package func run() async {
        await SQLiteThread.run(named: "livechat-checkpointer") {
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
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.interval) }
                guard !Task.isShuttingDownGracefully, !Task.isCancelled else { break }
                do {
                    if try Self.checkpoint("PASSIVE", db) > restartFrames {
                        // The writer waits while this holds the write lock, also while it waits for
                        // readers to leave the WAL: give up after 20 ms (SQLITE_BUSY) and try again at
                        // the next turn rather than stall messages behind a long read.
                        db.pollWhenBusy(every: .microseconds(500), for: .milliseconds(20))
                        try Self.checkpoint("RESTART", db)
                    }
                } catch {
                    logger.warning("WAL checkpoint failed", metadata: ["error": "\(LoggedError.describe(error))"])
                }
            }
            do {
                db.pollWhenBusy(every: .milliseconds(1), for: .seconds(10))
                try Self.checkpoint("TRUNCATE", db)
            } catch {
                logger.warning("last WAL checkpoint failed", metadata: ["error": "\(LoggedError.describe(error))"])
            }
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
