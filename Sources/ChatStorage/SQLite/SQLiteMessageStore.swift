import ChatDomain
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The message store of a SQLite deployment: a connection of its own, used from the writer's
/// thread only (`run`: a `SQLiteThread`), with prepared statements reused from batch to batch
/// (going through Fluent's pool costs a thread hop per statement). Its calls never suspend.
///
/// Its statements are the writer's (`WriterSQL`), as on PostgreSQL. A session's numbers come from
/// the writer's memory (it is the one writer of the data folder): reserving them in
/// `chat_sessions.last_seq` at every batch, as PostgreSQL does, rewrote a session's row per batch
/// and cost 10 % of the server's CPU per message (docs/BENCHMARKS.md, 2026-12-08). The column is
/// written back when a session ends, when the writer forgets its numbers and when it closes, so at
/// rest `last_seq` means what it means on PostgreSQL: the session's last number.
///
/// Safe to share although it holds a mutable handle and cache: it is only called by the writer's
/// one task, one call at a time, so no two uses of the handle overlap.
final class SQLiteMessageStore: BatchStore, @unchecked Sendable {
    private enum SessionState {
        case active(lastSeq: Int)
        case ended
    }

    private static let knownLimit = 100_000

    private let path: String
    /// Opened on first use.
    private var handle: SQLiteHandle?
    /// The descriptor holding the writer lock, -1 until the first use.
    private var lock: Int32 = -1
    /// The sessions numbered since the writer started: their last number, or that they ended
    /// (read from the database at a session's first use; forgotten, after a write-back, past
    /// `knownLimit` sessions).
    private var known: [UUID: SessionState] = [:]

    init(path: String) {
        self.path = path
    }

    func run(_ body: @Sendable () async -> Void) async {
        await SQLiteThread.run(named: "livechat-writer", body)
    }

    /// The writer's own thread sleeps: a timer would wake another thread to wake this one.
    func gather(for duration: Duration) async {
        let micros = duration / .microseconds(1)
        usleep(UInt32(max(0, min(micros, 1_000_000))))
    }

    func store(_ batch: [PendingMessage]) async throws -> [BatchPlan.Outcome] {
        let (outcomes, numbered) = try withHandle { db in
            try Self.transaction(db) {
                var plan = BatchPlan(batch, known: try Self.duplicates(of: batch, in: db))
                let now = WireTime.now()
                var firstSeq: [UUID: Int] = [:]
                var numbered: [UUID: Int] = [:]
                for session in plan.sessions {
                    guard let last = try lastSeq(of: session, in: db) else { continue }  // ended
                    firstSeq[session] = last + 1
                    numbered[session] = last + (plan.counts[session] ?? 0)
                }
                let rows = plan.rows(firstSeq: firstSeq, at: now)
                let insert = try db.statement(WriterSQL.insertMessage)
                var cursors: [Int] = []
                cursors.reserveCapacity(rows.count)
                for row in rows {
                    let wire = row.wire
                    insert.reset()
                    try insert.bind(1, wire.id)
                    try insert.bind(2, wire.sessionID)
                    try insert.bind(3, wire.seq)
                    try insert.bind(4, wire.type)
                    try insert.bind(5, wire.content)
                    try insert.bind(6, wire.file)
                    try insert.bind(7, wire.fileName)
                    try insert.bind(8, wire.isAudio)
                    try insert.bind(9, row.attachmentID)
                    try insert.bind(10, wire.senderID)
                    try insert.bind(11, wire.senderType)
                    try insert.bind(12, wire.clientID)
                    try insert.bind(13, now)
                    try insert.run()
                    if let attachment = row.attachmentID {
                        let link = try db.statement(WriterSQL.linkAttachment)
                        try link.bind(1, wire.id)
                        try link.bind(2, attachment)
                        try link.run()
                    }
                    cursors.append(try Self.insertFeed(business: row.message.businessID, type: "message", payload: row.feedPayload,
                                                       at: now, in: db))
                }
                return (plan.outcomes(stored: rows, cursors: cursors), numbered)
            }
        }
        // Only once committed: a batch rolled back leaves no gap in the numbers.
        if known.count > Self.knownLimit { try forgetNumbers() }
        for (session, last) in numbered { known[session] = .active(lastSeq: last) }
        return outcomes
    }

    /// The last number given in an active session, nil if it has ended.
    private func lastSeq(of session: UUID, in db: SQLiteHandle) throws -> Int? {
        switch known[session] {
        case .active(let last): return last
        case .ended: return nil
        case nil: break
        }
        let select = try db.statement(WriterSQL.sessionState)
        try select.bind(1, session)
        var found: SessionState?
        while try select.step() {
            found = select.int(0) != 0 ? .ended : .active(lastSeq: max(select.int(1), select.int(2)))
        }
        guard let found else { return nil }  // no such session: nothing can be stored in it
        known[session] = found
        if case .active(let last) = found { return last }
        return nil
    }

    /// Writes each active session's last number to `chat_sessions.last_seq`, then forgets them.
    private func forgetNumbers() throws {
        let numbers = known.compactMap { session, state -> (UUID, Int)? in
            if case .active(let last) = state, last > 0 { (session, last) } else { nil }
        }
        if !numbers.isEmpty, let handle {
            try Self.transaction(handle) {
                let update = try handle.statement(WriterSQL.setLastSeq)
                for (session, last) in numbers {
                    update.reset()
                    try update.bind(1, last)
                    try update.bind(2, session)
                    try update.run()
                }
            }
        }
        known.removeAll(keepingCapacity: true)
    }

    func end(session: UUID, at date: Date) async throws -> EndedSession? {
        let ended: EndedSession? = try withHandle { db in
            try Self.transaction(db) {
                let update = try db.statement(WriterSQL.endSession)
                try update.bind(1, date)
                try update.bind(2, session)
                var business: UUID?
                while try update.step() { business = update.uuid(0) }
                guard let business else { return nil }
                if case .active(let last)? = known[session], last > 0 {
                    let write = try db.statement(WriterSQL.setLastSeq)
                    try write.bind(1, last)
                    try write.bind(2, session)
                    try write.run()
                }
                let draft = try FeedDraft.sessionEnded(session, business: business, at: date)
                let cursor = try Self.insertFeed(business: business, type: draft.type, payload: draft.text, at: date, in: db)
                return EndedSession(draft: draft, cursor: cursor)
            }
        }
        if ended != nil { known[session] = .ended }
        return ended
    }

    func insertFeed(_ draft: FeedDraft, at date: Date) async throws -> Int {
        try withHandle { db in
            try Self.insertFeed(business: draft.business, type: draft.type, payload: draft.text, at: date, in: db)
        }
    }

    func open(_ openings: [SessionOpening], at date: Date) async throws -> [Result<SessionOpened, any Error>] {
        let results = try withHandle { db in
            try Self.transaction(db) {
                openings.map { opening in Result { try Self.savepoint(db) { try Self.open(opening, at: date, in: db) } } }
            }
        }
        // Only once committed; a new session has no message yet, so its first one needs no read.
        for (opening, result) in zip(openings, results) {
            if case .success(.created) = result { known[opening.session.id] = .active(lastSeq: 0) }
        }
        return results
    }

    private static func open(_ opening: SessionOpening, at date: Date, in db: SQLiteHandle) throws -> SessionOpened {
        if let visitor = opening.newVisitor {
            let insert = try db.statement(WriterSQL.insertVisitor)
            try insert.bind(1, visitor.id)
            try insert.bind(2, visitor.businessID)
            try insert.bind(3, visitor.externalCustomerID)
            try insert.bind(4, visitor.name)
            try insert.bind(5, visitor.email)
            try insert.bind(6, visitor.createdAt)
            try insert.run()
        }
        let session = opening.session
        let insert = try db.statement(WriterSQL.insertSession)
        try insert.bind(1, session.id)
        try insert.bind(2, session.businessID)
        try insert.bind(3, session.departmentID)
        try insert.bind(4, session.visitorID)
        try insert.bind(5, session.startedAt)
        try insert.bind(6, session.endedAt)
        try insert.bind(7, session.assignedAgentID)
        var stored = false
        while try insert.step() { stored = true }
        guard stored else {
            guard let existing = try activeSession(of: session.visitorID, in: session.businessID, db: db) else {
                throw StorageError.activeSessionMissing(session.visitorID)
            }
            return .existing(existing)
        }
        let draft = opening.draft
        return .created(cursor: try insertFeed(business: draft.business, type: draft.type, payload: draft.text, at: date, in: db))
    }

    private static func activeSession(of visitor: UUID, in business: UUID, db: SQLiteHandle) throws -> ChatSession? {
        let select = try db.statement(WriterSQL.activeSession)
        try select.bind(1, business)
        try select.bind(2, visitor)
        var found: ChatSession?
        while try select.step() {
            guard let id = select.uuid(0) else { continue }
            found = ChatSession(id: id, businessID: business, departmentID: select.uuid(1), visitorID: visitor,
                                startedAt: Date(timeIntervalSince1970: select.double(2)), assignedAgentID: select.uuid(3))
        }
        return found
    }

    /// Runs `body` inside a savepoint of the transaction: if it throws, only its own writes are undone.
    private static func savepoint<T>(_ db: SQLiteHandle, _ body: () throws -> T) throws -> T {
        try db.statement("SAVEPOINT opening").run()
        do {
            let result = try body()
            try db.statement("RELEASE opening").run()
            return result
        } catch {
            try? db.statement("ROLLBACK TO opening").run()
            try? db.statement("RELEASE opening").run()
            throw error
        }
    }

    /// Stores a feed event with the business's next number: the one writer of a SQLite deployment
    /// numbers them in the order it commits.
    private static func insertFeed(business: UUID, type: String, payload: String, at date: Date, in db: SQLiteHandle) throws -> Int {
        let insert = try db.statement("""
            INSERT INTO feed_events (business_id, cursor, type, payload, created_at) VALUES \
            (?1, (SELECT COALESCE(MAX(cursor), 0) + 1 FROM feed_events WHERE business_id = ?1), ?2, ?3, ?4) RETURNING cursor
            """)
        try insert.bind(1, business)
        try insert.bind(2, type)
        try insert.bind(3, payload)
        try insert.bind(4, date)
        var cursor: Int?
        while try insert.step() { cursor = insert.int(0) }
        guard let cursor else { throw StorageError.noCursor }
        return cursor
    }

    /// The stored messages that the batch's `client_id`s repeat.
    private static func duplicates(of batch: [PendingMessage], in db: SQLiteHandle) throws -> [PendingMessage.DuplicateKey: WireMessage] {
        var found: [PendingMessage.DuplicateKey: WireMessage] = [:]
        for key in BatchPlan.duplicateKeys(of: batch) {
            let select = try db.statement(WriterSQL.duplicate)
            try select.bind(1, key.sessionID)
            try select.bind(2, key.senderID)
            try select.bind(3, key.clientID)
            while try select.step() {
                found[key] = WireMessage(
                    type: select.string(2) ?? "text", id: select.uuid(0) ?? UUID(), sessionID: key.sessionID, seq: select.int(1),
                    content: select.string(3), file: select.string(4), fileName: select.string(5), isAudio: select.int(6) != 0,
                    senderID: key.senderID, senderType: select.string(7) ?? "", clientID: key.clientID,
                    createdAt: Date(timeIntervalSince1970: select.double(8)))
            }
        }
        return found
    }

    /// Runs `body` in a write transaction (taking the write lock first, waiting for it up to the
    /// busy timeout); rolls back if it throws.
    private static func transaction<T>(_ db: SQLiteHandle, _ body: () throws -> T) throws -> T {
        try db.execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try db.execute("COMMIT")
            return result
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }

    func close() {
        do {
            try forgetNumbers()
        } catch {
            // The numbers stay right: a session's first use reads its messages' highest one too.
        }
        handle = nil
        if lock >= 0 {
            Glibc.close(lock)  // also releases the flock
            lock = -1
        }
    }

    private func withHandle<T>(_ body: (SQLiteHandle) throws -> T) throws -> T {
        if let handle { return try body(handle) }
        if lock < 0 { lock = try Self.takeWriterLock(next: path) }
        let opened = try SQLiteHandle(path: path)
        // A small page cache (2 MiB): SQLite scans the cache's hash table at the end of every write
        // transaction, and with Fluent's 64 MiB that scan cost about 8 % of the server's CPU at
        // 5,000 msg/s (docs/BENCHMARKS.md). Pages it misses come from the OS page cache.
        for pragma in SQLiteTuning.pragmas(cacheKiB: 2048) {
            try opened.execute(pragma)
        }
        // The checkpointer's RESTART holds the write lock for a few milliseconds: resume right after.
        opened.pollWhenBusy(every: .microseconds(100), for: .seconds(10))
        handle = opened
        return try body(opened)
    }

    /// Numbers kept in memory are only right while this process is the database's only writer
    /// of messages: an exclusive `flock` on `<database>.writer-lock`, held until `close()`, makes
    /// a second server on the same data folder refuse to store instead of numbering twice.
    private static func takeWriterLock(next path: String) throws -> Int32 {
        let descriptor = Glibc.open(path + ".writer-lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SQLiteHandle.Failure(code: errno, message: "cannot open \(path).writer-lock") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            Glibc.close(descriptor)
            throw StorageError.dataFolderInUse(path)
        }
        return descriptor
    }
}
