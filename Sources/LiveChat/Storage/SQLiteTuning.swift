import Fluent
import SQLKit
import Vapor

/// SQLite set up for a chat server: WAL (readers never wait for the writer), `synchronous=NORMAL`
/// (durable at each checkpoint, no fsync per commit), a busy timeout instead of a spin, and a 64 MiB
/// page cache, and no checkpoint inside commits (`SQLiteCheckpointer` does them). The pool keeps one connection per event loop, so the pragmas run once on each.
enum SQLiteTuning {
    static func apply(to app: Application) async throws {
        for eventLoop in app.eventLoopGroup.makeIterator() {
            let sql = try app.databases.database(logger: app.logger, on: eventLoop)?.sql()
            guard let sql else { continue }
            for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=10000", "PRAGMA foreign_keys=ON",
                           "PRAGMA cache_size=-65536", "PRAGMA temp_store=MEMORY",
                           "PRAGMA wal_autocheckpoint=0"] {
                _ = try await sql.raw(SQLQueryString(stringLiteral: pragma)).all()
            }
        }
    }
}
