import ChatDomain
import Fluent
import Foundation
import SQLKit

/// Stored messages, attachments, read markers and the business feed's events.
package struct FluentHistoryStore: HistoryStore, FeedStore {
    let db: any Database

    package init(db: any Database) {
        self.db = db
    }

    package func message(_ id: UUID) async throws -> WireMessage? {
        try await db.sql().raw("SELECT \(RecordColumns.message) FROM chat_messages WHERE id = \(bind: id)").first()?.wireMessage()
    }

    package func lastSeq(of session: UUID) async throws -> Int {
        try await ChatMessageModel.query(on: db).filter(\.$sessionID == session).max(\.$seq) ?? 0
    }

    package func messages(of session: UUID, after seq: Int, limit: Int?, includingPrivate: Bool) async throws -> [WireMessage] {
        var query: SQLQueryString = "SELECT \(RecordColumns.message) FROM chat_messages WHERE session_id = \(bind: session) AND seq > \(bind: seq)"
        if !includingPrivate { query += " AND type <> \(bind: WireMessage.noteType)" }
        query += " ORDER BY seq"
        if let limit { query += " LIMIT \(literal: limit)" }
        return try await db.sql().raw(query).all().map { try $0.wireMessage() }
    }

    package func attachments(of session: UUID, since: Date?, until: Date?) async throws -> [Attachment] {
        var query = AttachmentModel.query(on: db).filter(\.$sessionID == session)
        if let since { query = query.filter(\.$createdAt > since) }
        if let until { query = query.filter(\.$createdAt <= until) }
        return try await query.sort(\.$createdAt).all().map(\.record)
    }

    package func insert(_ attachment: Attachment) async throws {
        try await AttachmentModel(attachment).create(on: db)
    }

    package func attachmentUsage(of session: UUID) async throws -> (count: Int, bytes: Int) {
        // One row, both stores: the sum cast to a 64-bit integer (PostgreSQL would answer a numeric).
        let row = try await db.sql().raw("""
            SELECT COUNT(*) AS files, CAST(COALESCE(SUM(size), 0) AS BIGINT) AS bytes FROM attachments WHERE session_id = \(bind: session)
            """).first()
        return (try row?.decode(column: "files", as: Int.self) ?? 0, try row?.decode(column: "bytes", as: Int.self) ?? 0)
    }

    package func attachment(storedName: String) async throws -> Attachment? {
        try await AttachmentModel.query(on: db).filter(\.$storedName == storedName).first()?.record
    }

    package func advanceReadMarker(session: UUID, reader: UUID, to seq: Int) async throws -> Bool {
        try await advance(session: session, reader: reader, to: seq, retrying: true)
    }

    private func advance(session: UUID, reader: UUID, to seq: Int, retrying: Bool) async throws -> Bool {
        let now = WireTime.now()
        let moved = try await db.sql().raw("""
            UPDATE read_markers SET last_read_seq = \(bind: seq), updated_at = \(bind: now)
            WHERE session_id = \(bind: session) AND reader_id = \(bind: reader) AND last_read_seq < \(bind: seq) RETURNING id
            """).all()
        if !moved.isEmpty { return true }
        if try await ReadMarkerModel.query(on: db).filter(\.$sessionID == session).filter(\.$readerID == reader).first() != nil {
            return false
        }
        let marker = ReadMarkerModel()
        marker.id = UUID()
        marker.sessionID = session
        marker.readerID = reader
        marker.lastReadSeq = seq
        marker.updatedAt = now
        do {
            try await marker.create(on: db)
            return true
        } catch {
            // Created meanwhile by the same reader on another socket: move it forward instead.
            guard retrying else { throw error }
            return try await advance(session: session, reader: reader, to: seq, retrying: false)
        }
    }

    // MARK: Feed

    package func latestCursor(of business: UUID) async throws -> Int {
        try await FeedEventModel.query(on: db).filter(\.$businessID == business).max(\.$cursor) ?? 0
    }

    package func feedPayload(of business: UUID, cursor: Int) async throws -> String? {
        try await FeedEventModel.query(on: db).filter(\.$businessID == business).filter(\.$cursor == cursor).first()?.payload
    }

    package func feedEvents(of business: UUID, after: Int, upTo: Int, limit: Int) async throws -> [StoredFeedEvent] {
        try await FeedEventModel.query(on: db)
            .filter(\.$businessID == business)
            .filter(\.$cursor > after)
            .filter(\.$cursor <= upTo)
            .sort(\.$cursor)
            .limit(limit)
            .all()
            .map { StoredFeedEvent(cursor: $0.cursor, payload: $0.payload) }
    }
}
