import ChatCSQLite
import Foundation

/// One SQLite connection driven through the C API, with its prepared statements kept for reuse.
/// It is the SQLite library that Fluent's driver links (sqlite-nio's copy, declared in `ChatCSQLite`),
/// so both share one set of file locks. Not thread-safe: its owner uses it from one thread at a time.
final class SQLiteHandle {
    struct Failure: Error, CustomStringConvertible {
        let code: Int32
        let message: String
        var description: String { "SQLite error \(code): \(message)" }
    }

    private let db: OpaquePointer
    private var statements: [String: Statement] = [:]

    init(path: String) throws {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let code = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "cannot open \(path)"
            if let handle { sqlite_nio_sqlite3_close_v2(handle) }
            throw Failure(code: code, message: message)
        }
        db = handle
    }

    deinit {
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement.pointer) }
        sqlite_nio_sqlite3_close_v2(db)
    }

    /// Runs SQL without parameters or rows (pragmas, BEGIN, COMMIT).
    func execute(_ sql: String) throws {
        let code = sqlite_nio_sqlite3_exec(db, sql, nil, nil, nil)
        guard code == SQLITE_OK else { throw failure(code) }
    }

    /// While another connection holds the lock it needs, waits in steps of `interval` (instead of
    /// SQLite's default 1, 2, 5, 10 … 100 ms steps, which keep a caller waiting up to twice as long
    /// as a short checkpoint held the lock), for at most `timeout`.
    func pollWhenBusy(every interval: Duration, for timeout: Duration) {
        let micros = max(1, Int(interval / .microseconds(1)))
        let tries = max(1, Int(timeout / interval))
        // A C callback captures nothing: the step and the number of tries travel in its context pointer.
        let context = UnsafeMutableRawPointer(bitPattern: UInt(micros) << 32 | UInt(tries))
        sqlite_nio_sqlite3_busy_handler(db, { context, count in
            let packed = UInt(bitPattern: context)
            guard UInt(count) < packed & 0xFFFF_FFFF else { return 0 }
            usleep(UInt32(packed >> 32))
            return 1
        }, context)
    }

    /// The database's page size in bytes.
    var pageSize: Int {
        get throws {
            let statement = try statement("PRAGMA page_size")
            var size = 4096
            while try statement.step() { size = statement.int(0) }
            return size
        }
    }

    /// The prepared statement for `sql`, reset and with its parameters cleared.
    func statement(_ sql: String) throws -> Statement {
        if let statement = statements[sql] {
            statement.reset()
            return statement
        }
        var pointer: OpaquePointer?
        let code = sqlite_nio_sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &pointer, nil)
        guard code == SQLITE_OK, let pointer else { throw failure(code) }
        let statement = Statement(pointer: pointer, handle: self)
        statements[sql] = statement
        return statement
    }

    /// The rowid of the last row inserted on this connection.
    var lastInsertRowID: Int {
        Int(sqlite_nio_sqlite3_last_insert_rowid(db))
    }

    fileprivate func failure(_ code: Int32) -> Failure {
        Failure(code: code, message: String(cString: sqlite_nio_sqlite3_errmsg(db)))
    }

    /// A prepared statement: bind parameters (1-based), then step through its rows.
    struct Statement {
        fileprivate let pointer: OpaquePointer
        fileprivate unowned let handle: SQLiteHandle

        private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

        /// Makes the statement ready to run again. Its parameters keep their values: every caller
        /// binds all of them (nil as NULL). Not `sqlite3_clear_bindings`: on a statement whose plan
        /// depends on a parameter (the feed's insert reads `MAX(cursor)` for `?1`) it marks the
        /// statement expired, and SQLite compiled it again at every message — 12 % of the server's
        /// CPU at 5,000 msg/s (docs/BENCHMARKS.md).
        func reset() {
            sqlite_nio_sqlite3_reset(pointer)
        }

        /// UUIDs are stored as Fluent's SQLite driver stores them: upper-case text.
        func bind(_ index: Int32, _ value: UUID?) throws {
            try bind(index, value?.uppercasedText)
        }

        func bind(_ index: Int32, _ value: String?) throws {
            guard let value else { return try check(sqlite_nio_sqlite3_bind_null(pointer, index)) }
            var text = value
            try text.withUTF8 { bytes in
                try check(sqlite_nio_sqlite3_bind_text64(pointer, index, bytes.baseAddress, UInt64(bytes.count), Self.transient,
                                                         UInt8(SQLITE_UTF8)))
            }
        }

        func bind(_ index: Int32, _ value: Int) throws {
            try check(sqlite_nio_sqlite3_bind_int64(pointer, index, Int64(value)))
        }

        func bind(_ index: Int32, _ value: Bool) throws {
            try bind(index, value ? 1 : 0)
        }

        /// Dates are stored as Fluent's SQLite driver stores them: seconds since 1970, as REAL.
        func bind(_ index: Int32, _ value: Date) throws {
            try check(sqlite_nio_sqlite3_bind_double(pointer, index, value.timeIntervalSince1970))
        }

        func bind(_ index: Int32, _ value: Date?) throws {
            guard let value else { return try check(sqlite_nio_sqlite3_bind_null(pointer, index)) }
            try bind(index, value)
        }

        /// Advances to the next row: true when there is one, false when the statement is done.
        func step() throws -> Bool {
            let code = sqlite_nio_sqlite3_step(pointer)
            switch code {
            case SQLITE_ROW: return true
            case SQLITE_DONE: return false
            default: throw handle.failure(code)
            }
        }

        /// Runs a statement that returns no rows.
        func run() throws {
            while try step() {}
        }

        func int(_ column: Int32) -> Int {
            Int(sqlite_nio_sqlite3_column_int64(pointer, column))
        }

        func double(_ column: Int32) -> Double {
            sqlite_nio_sqlite3_column_double(pointer, column)
        }

        func string(_ column: Int32) -> String? {
            guard sqlite_nio_sqlite3_column_type(pointer, column) != SQLITE_NULL,
                  let text = sqlite_nio_sqlite3_column_text(pointer, column) else { return nil }
            return String(cString: text)
        }

        func uuid(_ column: Int32) -> UUID? {
            string(column).flatMap(UUID.init(uuidString:))
        }

        private func check(_ code: Int32) throws {
            guard code == SQLITE_OK else { throw handle.failure(code) }
        }
    }
}
