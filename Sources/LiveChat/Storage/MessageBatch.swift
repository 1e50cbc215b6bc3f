import Fluent
import Foundation
import SQLKit

/// Storing a batch of messages in one transaction, and storing feed events.
enum MessageBatch {
    enum Outcome {
        /// Stored, with its business, its feed event's cursor and that event's JSON.
        case stored(ChatMessage, business: UUID, cursor: Int, feedPayload: Data)
        case duplicate(ChatMessage, SocketConnection?)
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
        let payload = String(decoding: draft.payload, as: UTF8.self)
        let row = try await db.sql().raw("""
            INSERT INTO feed_events (business_id, type, payload, created_at)
            VALUES (\(bind: draft.business), \(bind: draft.type), \(bind: payload), \(bind: date)) RETURNING cursor
            """).first()
        guard let cursor = try row?.decode(column: "cursor", as: Int.self) else { throw StorageError.noCursor }
        return cursor
    }

    /// Numbers the new messages per session (refusing sessions that have ended), inserts them and
    /// their feed events, and links file messages to their attachment; repeats of a stored
    /// `client_id` answer with it.
    private static func store(
        _ batch: [PendingMessage], known: [PendingMessage.DuplicateKey: ChatMessage], on tx: any Database
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
        var nextSeq: [UUID: Int] = [:]
        for session in sessionOrder {
            let count = countPerSession[session] ?? 0
            let row = try await sql.raw("""
                UPDATE chat_sessions SET last_seq = last_seq + \(bind: count)
                WHERE id = \(bind: session) AND ended_at IS NULL RETURNING last_seq
                """).first()
            if let last = try row?.decode(column: "last_seq", as: Int.self) {
                nextSeq[session] = last - count + 1
            }
        }

        let now = WireTime.now()
        var rows: [ChatMessage] = []
        var rowByIndex: [Int: (ChatMessage, PendingMessage)] = [:]
        for (index, message) in fresh {
            guard let seq = nextSeq[message.sessionID] else {
                outcomes[index] = .sessionEnded(message.origin)
                continue
            }
            nextSeq[message.sessionID] = seq + 1
            let row = message.row(seq: seq, at: now)
            rows.append(row)
            rowByIndex[index] = (row, message)
        }
        if !rows.isEmpty { try await rows.create(on: tx) }
        for (index, (row, message)) in rowByIndex.sorted(by: { $0.key < $1.key }) {
            if let attachment = row.attachmentID, let id = row.id {
                try await sql.raw("""
                    UPDATE attachments SET message_id = \(bind: id) WHERE id = \(bind: attachment) AND message_id IS NULL
                    """).run()
            }
            let draft = try FeedDraft(business: message.businessID, type: "message", body: FeedMessage(
                session_id: row.sessionID.uuidString.lowercased(), message: WireMessage(row)))
            let cursor = try await insertFeed(draft, at: now, on: tx)
            outcomes[index] = .stored(row, business: message.businessID, cursor: cursor, feedPayload: draft.payload)
        }
        // Repeats of a client_id inside this batch answer with the row stored for the first one.
        for (index, message) in batch.enumerated() where outcomes[index] == nil {
            guard let key = message.duplicateKey, let first = seenInBatch[key] else { continue }
            if let (stored, _) = rowByIndex[first] {
                outcomes[index] = .duplicate(stored, message.origin)
            } else {
                outcomes[index] = .sessionEnded(message.origin)
            }
        }
        return outcomes.compactMap { $0 }
    }

    private static func existingDuplicates(of batch: [PendingMessage], on db: any Database) async throws -> [PendingMessage.DuplicateKey: ChatMessage] {
        let keys = batch.compactMap(\.duplicateKey)
        guard !keys.isEmpty else { return [:] }
        var found: [PendingMessage.DuplicateKey: ChatMessage] = [:]
        for session in Set(keys.map(\.sessionID)) {
            let clientIDs = Array(Set(keys.filter { $0.sessionID == session }.map(\.clientID)))
            let rows = try await ChatMessage.query(on: db)
                .filter(\.$sessionID == session)
                .filter(\.$clientID ~~ clientIDs)
                .all()
            for row in rows {
                guard let clientID = row.clientID else { continue }
                found[PendingMessage.DuplicateKey(sessionID: session, senderID: row.senderID, clientID: clientID)] = row
            }
        }
        return found
    }
}
