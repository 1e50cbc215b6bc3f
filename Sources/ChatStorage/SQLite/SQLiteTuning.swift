import Fluent
import Logging
import NIOCore
import SQLKit

/// SQLite set up for a chat server, on every connection: WAL (readers never wait for the
/// writer), `synchronous=NORMAL` (durable at each checkpoint, no fsync per commit), a busy timeout
/// instead of a spin, a page cache, and no checkpoint inside commits (`SQLiteCheckpointer` does
/// them). Fluent's pool keeps one connection per event loop, so the pragmas run once on each.
enum SQLiteTuning {
    /// The pragmas of one connection, with a page cache of `cacheKiB`.
    static func pragmas(cacheKiB: Int) -> [String] {
        ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=10000", "PRAGMA foreign_keys=ON",
         "PRAGMA cache_size=-\(cacheKiB)", "PRAGMA temp_store=MEMORY", "PRAGMA wal_autocheckpoint=0"]
    }

    /// Fluent's connections: they serve the reads, so they get a 64 MiB cache.
    static func apply(to databases: Databases, on eventLoops: any EventLoopGroup, logger: Logger) async throws {
        for eventLoop in eventLoops.makeIterator() {
            let sql = try databases.database(logger: logger, on: eventLoop)?.sql()
            guard let sql else { continue }
            for pragma in pragmas(cacheKiB: 65_536) {
                _ = try await sql.raw(SQLQueryString(stringLiteral: pragma)).all()
            }
        }
    }
}
