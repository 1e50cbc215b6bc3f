import Fluent
import Foundation
import SQLKit

/// Storing a batch of messages in one transaction, and storing feed events. The hot path speaks
/// SQL directly: one statement numbers every session of the batch, one inserts the messages, one
/// their feed events (Fluent's model layer costs more per row than the database does).
enum MessageBatch {
    enum Outcome {
        /// Stored, with its business, its feed event's cursor and that event's JSON.
        case stored(WireMessage, json: String, business: UUID, cursor: Int, feedPayload: String)
        case duplicate(WireMessage, SocketConnection?)
        case sessionEnded(SocketConnection?)
    }

    /// Looks up repeated `client_id`s first (a read outside the transaction, so that the
    /// transaction starts with a write and waits for SQLite's write lock instead of failing on a
    /// stale snapshot), then stores the batch in one transaction.
    static func store(_ batch: [PendingMessage], on db: any Database) async throws -> [Outcome] {
        let known = try await existingDuplicates(of: batch, on: db)
        return try await db.transaction { tx in try await store(batch, known: known, on: tx) }
    }

    /// Inserts a feed event and returns its cursor.
    static func insertFeed(_ draft: FeedDraft, at date: Date, on db: any Database) async throws -> Int {
        let cursors = try await insertFeeds([(draft.business, draft.type, String(decoding: draft.payload, as: UTF8.self))], at: date, on: db.sql())
        guard let cursor = cursors.first else { throw StorageError.noCursor }
        return cursor
    }

    /// Inserts feed events in one statement; their cursors, in the order given.
    private static func insertFeeds(_ events: [(business: UUID, type: String, payload: String)], at date: Date,
                                    on sql: any SQLDatabase) async throws -> [Int] {
        guard !events.isEmpty else { return [] }
        var query: SQLQueryString = "INSERT INTO feed_events (business_id, type, payload, created_at) VALUES "
        for (index, event) in events.enumerated() {
            query += index == 0 ? "" : ", "
            query += "(\(bind: event.business), \(bind: event.type), \(bind: event.payload), \(bind: date))"
        }
        query += " RETURNING cursor"
        // Rows of one INSERT are numbered in the order of its VALUES; RETURNING's order is not promised.
        let cursors = try await sql.raw(query).all().map { try $0.decode(column: "cursor", as: Int.self) }.sorted()
        guard cursors.count == events.count else { throw StorageError.noCursor }
        return cursors
    }

    /// Numbers the new messages per session (refusing sessions that have ended), inserts them and
    /// their feed events, and links file messages to their attachment; repeats of a stored
    /// `client_id` answer with it.
    private static func store(
        _ batch: [PendingMessage], known: [PendingMessage.DuplicateKey: WireMessage], on tx: any Database
    ) async throws -> [Outcome] {
        var seenInBatch: [PendingMessage.DuplicateKey: Int] = [:]
        var fresh: [(index: Int, message: PendingMessage)] = []
        var outcomes: [Outcome?] = Array(repeating: nil, count: batch.count)
        var countPerSession: [UUID: Int] = [:]
        var sessionOrder: [UUID] = []
        for (index, message) in batch.enumerated() {
            if let key = message.duplicateKey {
                if let stored = known[key] {
                    outcomes[index] = .duplicate(stored, message.origin)
                    continue
                }
                if seenInBatch[key] != nil { continue }  // resolved after the first one is numbered
                seenInBatch[key] = index
            }
            fresh.append((index, message))
            if countPerSession[message.sessionID] == nil { sessionOrder.append(message.sessionID) }
            countPerSession[message.sessionID, default: 0] += 1
        }

        let sql = try tx.sql()
        let nextSeq = try await number(sessionOrder, counts: countPerSession, on: sql)
        let now = WireTime.now()
        var seq = nextSeq
        var stored: [(index: Int, wire: WireMessage, message: PendingMessage)] = []
        for (index, message) in fresh {
            guard let next = seq[message.sessionID] else {
                outcomes[index] = .sessionEnded(message.origin)
                continue
            }
            seq[message.sessionID] = next + 1
            stored.append((index, WireMessage(message, id: UUID.timeOrdered(), seq: next, at: now), message))
        }
        if !stored.isEmpty {
            try await insertMessages(stored.map { ($0.wire, $0.message) }, at: now, on: sql)
            for (_, wire, message) in stored {
                guard case .file(_, _, _, let attachment) = message.body else { continue }
                try await sql.raw("""
                    UPDATE attachments SET message_id = \(bind: wire.id) WHERE id = \(bind: attachment) AND message_id IS NULL
                    """).run()
            }
            let jsons = stored.map { $0.wire.json }
            let feeds = zip(stored, jsons).map { entry, json in
                (entry.message.businessID, "message",
                 #"{"type":"message","session_id":"\#(entry.wire.sessionID.uuidString.lowercased())","message":\#(json)}"#)
            }
            let cursors = try await insertFeeds(feeds, at: now, on: sql)
            for (position, entry) in stored.enumerated() {
                outcomes[entry.index] = .stored(entry.wire, json: jsons[position], business: entry.message.businessID,
                                                cursor: cursors[position], feedPayload: feeds[position].2)
            }
        }
        // Repeats of a client_id inside this batch answer with the message stored for the first one.
        let storedByIndex = Dictionary(uniqueKeysWithValues: stored.map { ($0.index, $0.wire) })
        for (index, message) in batch.enumerated() where outcomes[index] == nil {
            guard let key = message.duplicateKey, let first = seenInBatch[key] else { continue }
            if let wire = storedByIndex[first] {
                outcomes[index] = .duplicate(wire, message.origin)
            } else {
                outcomes[index] = .sessionEnded(message.origin)
            }
        }
        return outcomes.compactMap { $0 }
    }

    /// Reserves `counts[session]` numbers in each active session with one statement; returns the
    /// first reserved number of each (ended sessions are absent).
    private static func number(_ sessions: [UUID], counts: [UUID: Int], on sql: any SQLDatabase) async throws -> [UUID: Int] {
        guard !sessions.isEmpty else { return [:] }
        var query: SQLQueryString = "UPDATE chat_sessions SET last_seq = last_seq + CASE id"
        for session in sessions {
            query += " WHEN \(bind: session) THEN CAST(\(bind: counts[session] ?? 0) AS INTEGER)"
        }
        query += " END WHERE ended_at IS NULL AND id IN (\(binds: sessions)) RETURNING id, last_seq"
        var first: [UUID: Int] = [:]
        for row in try await sql.raw(query).all() {
            let id = try row.decode(column: "id", as: UUID.self)
            let last = try row.decode(column: "last_seq", as: Int.self)
            first[id] = last - (counts[id] ?? 0) + 1
        }
        return first
    }

    private static func insertMessages(_ rows: [(WireMessage, PendingMessage)], at date: Date, on sql: any SQLDatabase) async throws {
        var query: SQLQueryString = """
            INSERT INTO chat_messages (id, session_id, seq, type, content, file, file_name, is_audio, attachment_id, \
            sender_id, sender_type, client_id, created_at) VALUES 
            """
        for (index, (wire, message)) in rows.enumerated() {
            var attachment: UUID?
            if case .file(_, _, _, let id) = message.body { attachment = id }
            query += index == 0 ? "" : ", "
            query += """
                (\(bind: wire.id), \(bind: wire.sessionID), \(bind: wire.seq), \(bind: wire.type), \(bind: wire.content), \
                \(bind: wire.file), \(bind: wire.fileName), \(bind: wire.isAudio), \(bind: attachment), \(bind: wire.senderID), \
                \(bind: wire.senderType), \(bind: wire.clientID), \(bind: date))
                """
        }
        try await sql.raw(query).run()
    }

    private static func existingDuplicates(of batch: [PendingMessage], on db: any Database) async throws -> [PendingMessage.DuplicateKey: WireMessage] {
        let keys = batch.compactMap(\.duplicateKey)
        guard !keys.isEmpty else { return [:] }
        var found: [PendingMessage.DuplicateKey: WireMessage] = [:]
        for session in Set(keys.map(\.sessionID)) {
            let clientIDs = Array(Set(keys.filter { $0.sessionID == session }.map(\.clientID)))
            let rows = try await ChatMessage.query(on: db)
                .filter(\.$sessionID == session)
                .filter(\.$clientID ~~ clientIDs)
                .all()
            for row in rows {
                guard let clientID = row.clientID else { continue }
                found[PendingMessage.DuplicateKey(sessionID: session, senderID: row.senderID, clientID: clientID)] = WireMessage(row)
            }
        }
        return found
    }
}
