import ChatDomain
import Fluent
import Foundation
import SQLKit

/// The message store over Fluent's SQL layer (the PostgreSQL deployment): each step of a batch is
/// one statement for the whole batch: one numbers every session, one inserts the messages, one
/// their feed events. Async end to end: the writer's task waits on no thread.
struct SQLMessageStore: BatchStore {
    let db: any Database
    /// Several nodes: each transaction NOTIFYs its events to the others before it commits.
    let bus: BusAnnouncer?

    /// The writer runs on the concurrency pool: every call here suspends, none blocks.
    func run(_ body: @Sendable () async -> Void) async {
        await body()
    }

    func gather(for duration: Duration) async {
        try? await Task.sleep(for: duration)
    }

    func store(_ batch: [PendingMessage]) async throws -> [BatchPlan.Outcome] {
        try await storeBatch(batch)
    }

    func end(session: UUID, at date: Date) async throws -> EndedSession? {
        try await endSession(session, at: date)
    }

    func insertFeed(_ draft: FeedDraft, at date: Date) async throws -> Int {
        try await db.transaction { tx in
            let cursor = try await insertFeed(draft, at: date, on: tx.sql())
            try await bus?.announce([.feed(draft, cursor: cursor)], on: tx.sql())
            return cursor
        }
    }

    /// One transaction per opening: several nodes may start sessions at once, and PostgreSQL
    /// locks rows rather than the database, so these do not wait for each other.
    func open(_ openings: [SessionOpening], at date: Date) async throws -> [Result<SessionOpened, any Error>] {
        var results: [Result<SessionOpened, any Error>] = []
        for opening in openings {
            do {
                results.append(.success(try await open(opening, at: date)))
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }

    /// Nothing to release: Fluent owns the connections.
    func close() {}

    /// Stores the batch in one transaction: the repeated `client_id`s looked up, the sessions
    /// numbered, the messages and their feed events inserted, announced to the other nodes.
    private func storeBatch(_ batch: [PendingMessage]) async throws -> [BatchPlan.Outcome] {
        try await db.transaction { tx in
            let sql = try tx.sql()
            var plan = BatchPlan(batch, known: try await duplicates(of: batch, on: sql))
            let now = WireTime.now()
            let rows = plan.rows(firstSeq: try await number(plan.sessions, counts: plan.counts, on: sql), at: now)
            guard !rows.isEmpty else { return plan.outcomes(stored: [], cursors: []) }
            try await insertMessages(rows, at: now, on: sql)
            for row in rows {
                guard let attachment = row.attachmentID else { continue }
                try await sql.raw(WriterSQL.query(WriterSQL.linkAttachment, [row.wire.id, attachment])).run()
            }
            let cursors = try await insertFeeds(rows.map { ($0.message.businessID, "message", $0.feedPayload) }, at: now, on: sql)
            let outcomes = plan.outcomes(stored: rows, cursors: cursors)
            try await bus?.announce(outcomes.compactMap { if case .stored(let stored) = $0 { .message(stored) } else { nil } }, on: sql)
            return outcomes
        }
    }

    private func open(_ opening: SessionOpening, at date: Date) async throws -> SessionOpened {
        try await db.transaction { tx in
            let sql = try tx.sql()
            if let visitor = opening.newVisitor {
                try await sql.raw(WriterSQL.query(WriterSQL.insertVisitor, [visitor.id, visitor.businessID, visitor.externalCustomerID,
                                                                           visitor.name, visitor.email, visitor.createdAt])).run()
            }
            let session = opening.session
            // A start on another node still in flight is waited for (the unique index's lock).
            let inserted = try await sql.raw(WriterSQL.query(WriterSQL.insertSession, [
                session.id, session.businessID, session.departmentID, session.visitorID, session.startedAt, session.endedAt,
                session.assignedAgentID])).first()
            guard inserted != nil else {
                let row = try await sql.raw(WriterSQL.query(WriterSQL.activeSession, [session.businessID, session.visitorID])).first()
                guard let row else { throw StorageError.activeSessionMissing(session.visitorID) }
                return .existing(ChatSession(
                    id: try row.decode(column: "id", as: UUID.self), businessID: session.businessID,
                    departmentID: try row.decode(column: "department_id", as: UUID?.self), visitorID: session.visitorID,
                    startedAt: try row.decode(column: "started_at", as: Date.self),
                    assignedAgentID: try row.decode(column: "assigned_agent_id", as: UUID?.self)))
            }
            let cursor = try await insertFeed(opening.draft, at: date, on: sql)
            try await bus?.announce([.feed(opening.draft, cursor: cursor)], on: sql)
            return .created(cursor: cursor)
        }
    }

    private func endSession(_ session: UUID, at date: Date) async throws -> EndedSession? {
        try await db.transaction { tx in
            let row = try await tx.sql().raw(WriterSQL.query(WriterSQL.endSession, [date, session])).first()
            guard let business = try row?.decode(column: "business_id", as: UUID.self) else { return nil }
            let draft = try FeedDraft.sessionEnded(session, business: business, at: date)
            let cursor = try await insertFeed(draft, at: date, on: tx.sql())
            try await bus?.announce([.sessionEnded(session: session, business: business, at: date, cursor: cursor, feedPayload: draft.payload)],
                                    on: tx.sql())
            return EndedSession(draft: draft, cursor: cursor)
        }
    }

    private func insertFeed(_ draft: FeedDraft, at date: Date, on sql: any SQLDatabase) async throws -> Int {
        guard let cursor = try await insertFeeds([(draft.business, draft.type, draft.text)], at: date, on: sql).first else {
            throw StorageError.noCursor
        }
        return cursor
    }

    /// Inserts feed events in one statement; their cursors, in the order given. Each business's
    /// events are numbered on from its last one (1, 2, 3 … in commit order).
    ///
    /// With several nodes two writers may store events of one business at once. So each
    /// transaction first takes a lock per business it writes to (`pg_advisory_xact_lock`, held
    /// until its commit, in a fixed order): a business's events are numbered, and committed, one
    /// transaction after the other, and the statement after the lock sees the numbers of the one
    /// before (the unique index on `(business_id, cursor)` would refuse a repeat).
    private func insertFeeds(_ events: [(business: UUID, type: String, payload: String)], at date: Date,
                             on sql: any SQLDatabase) async throws -> [Int] {
        var lock: SQLQueryString = "SELECT "
        for (index, business) in Set(events.map(\.business.advisoryLockKey)).sorted().enumerated() {
            lock += index == 0 ? "" : ", "
            lock += "pg_advisory_xact_lock(\(bind: business))"
        }
        try await sql.raw(lock).run()
        var query: SQLQueryString = """
            INSERT INTO feed_events (business_id, cursor, type, payload, created_at) \
            SELECT v.b, COALESCE((SELECT MAX(f.cursor) FROM feed_events f WHERE f.business_id = v.b), 0) + v.k, v.t, v.p, v.d
            """
        query += " FROM (VALUES "
        var rank: [UUID: Int] = [:]
        var ranks: [Int] = []
        for (index, event) in events.enumerated() {
            rank[event.business, default: 0] += 1
            ranks.append(rank[event.business] ?? 1)
            query += index == 0 ? "" : ", "
            query += "(\(bind: event.business)::uuid, \(bind: ranks[index])::bigint, \(bind: event.type)::text, "
            query += "\(bind: event.payload)::text, \(bind: date)::timestamptz)"
        }
        query += ") AS v(b, k, t, p, d) RETURNING business_id, cursor"
        // The numbers of a business in this statement are its last one + 1 … + n: its first is the
        // smallest returned.
        var first: [UUID: Int] = [:]
        for row in try await sql.raw(query).all() {
            let business = try row.decode(column: "business_id", as: UUID.self)
            let cursor = try row.decode(column: "cursor", as: Int.self)
            first[business] = min(first[business] ?? cursor, cursor)
        }
        var cursors: [Int] = []
        cursors.reserveCapacity(events.count)
        for (event, k) in zip(events, ranks) {
            guard let base = first[event.business] else { throw StorageError.noCursor }
            cursors.append(base + k - 1)
        }
        return cursors
    }

    /// Reserves `counts[session]` numbers in each active session with one statement; returns the
    /// first reserved number of each (ended sessions are absent).
    private func number(_ sessions: [UUID], counts: [UUID: Int], on sql: any SQLDatabase) async throws -> [UUID: Int] {
        guard !sessions.isEmpty else { return [:] }
        // The rows are locked in id order first: two nodes' batches sharing sessions then wait for
        // each other instead of deadlocking.
        var query: SQLQueryString = "UPDATE chat_sessions SET last_seq = chat_sessions.last_seq + CASE chat_sessions.id"
        for session in sessions {
            query += " WHEN \(bind: session) THEN CAST(\(bind: counts[session] ?? 0) AS INTEGER)"
        }
        query += " END FROM (SELECT id FROM chat_sessions WHERE id IN (\(binds: sessions)) ORDER BY id FOR UPDATE) AS locked"
        query += " WHERE chat_sessions.id = locked.id AND chat_sessions.ended_at IS NULL RETURNING chat_sessions.id, chat_sessions.last_seq"
        var first: [UUID: Int] = [:]
        for row in try await sql.raw(query).all() {
            let id = try row.decode(column: "id", as: UUID.self)
            let last = try row.decode(column: "last_seq", as: Int.self)
            first[id] = last - (counts[id] ?? 0) + 1
        }
        return first
    }

    private func insertMessages(_ rows: [BatchPlan.Row], at date: Date, on sql: any SQLDatabase) async throws {
        var query: SQLQueryString = "INSERT INTO chat_messages (\(unsafeRaw: WriterSQL.messageColumns)) VALUES "
        for (index, row) in rows.enumerated() {
            let wire = row.wire
            query += index == 0 ? "" : ", "
            query += """
                (\(bind: wire.id), \(bind: wire.sessionID), \(bind: wire.seq), \(bind: wire.type), \(bind: wire.content), \
                \(bind: wire.file), \(bind: wire.fileName), \(bind: wire.isAudio), \(bind: row.attachmentID), \(bind: wire.senderID), \
                \(bind: wire.senderType), \(bind: wire.clientID), \(bind: date))
                """
        }
        try await sql.raw(query).run()
    }

    /// The stored messages that the batch's `client_id`s repeat.
    private func duplicates(of batch: [PendingMessage], on sql: any SQLDatabase) async throws -> [PendingMessage.DuplicateKey: WireMessage] {
        let keys = Set(BatchPlan.duplicateKeys(of: batch))
        guard !keys.isEmpty else { return [:] }
        // One round trip for the batch (most visitor messages carry a client_id): the candidates of
        // every session and client_id, kept where sender, session and client_id all match.
        let rows = try await sql.raw("""
            SELECT \(RecordColumns.message) FROM chat_messages
            WHERE session_id IN (\(binds: Array(Set(keys.map(\.sessionID))))) AND client_id IN (\(binds: Array(Set(keys.map(\.clientID)))))
            """).all()
        var found: [PendingMessage.DuplicateKey: WireMessage] = [:]
        for row in rows {
            let message = try row.wireMessage()
            guard let clientID = message.clientID else { continue }
            let key = PendingMessage.DuplicateKey(sessionID: message.sessionID, senderID: message.senderID, clientID: clientID)
            if keys.contains(key) { found[key] = message }
        }
        return found
    }
}
