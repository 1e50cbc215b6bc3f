import ChatDomain
import Fluent
import Foundation
import SQLKit

/// What erasure and export read and remove.
package struct FluentPrivacyStore: PrivacyStore {
    let db: any Database

    package init(db: any Database) {
        self.db = db
    }

    package func sessions(ofVisitor visitor: UUID) async throws -> [ChatSession] {
        try await db.sql().raw("SELECT \(RecordColumns.session) FROM chat_sessions WHERE visitor_id = \(bind: visitor) ORDER BY started_at, id")
            .all().map { try $0.chatSession() }
    }

    package func sessionsEnded(of business: UUID, before date: Date, limit: Int) async throws -> [ChatSession] {
        try await db.sql().raw("""
            SELECT \(RecordColumns.session) FROM chat_sessions
            WHERE business_id = \(bind: business) AND ended_at IS NOT NULL AND ended_at < \(bind: date) LIMIT \(bind: limit)
            """).all().map { try $0.chatSession() }
    }

    /// One transaction, each table named (not left to foreign keys' cascades). A feed event keeps
    /// its number (a feed socket reading past it must not take it for a gap), not its content:
    /// the events of a session are found by the `"session_id":"<id>"` their JSON starts with.
    package func erase(sessions: [UUID], of business: UUID) async throws {
        guard !sessions.isEmpty else { return }
        let postgres = (try? db.sql().dialect.name) == "postgresql"
        try await db.transaction { tx in
            let sql = try tx.sql()
            var list: SQLQueryString = "("
            for (index, id) in sessions.enumerated() { list += index == 0 ? "\(bind: id)" : ", \(bind: id)" }
            list += ")"
            if !postgres {
                try await sql.raw("DELETE FROM message_search WHERE rowid IN (SELECT position FROM search_entries WHERE session_id IN \(list))").run()
            }
            try await sql.raw("DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE session_id IN \(list))").run()
            for table in ["search_entries", "webhook_deliveries", "session_ratings", "read_markers", "attachments", "chat_messages"] {
                try await sql.raw("DELETE FROM \(unsafeRaw: table) WHERE session_id IN \(list)").run()
            }
            var feed: SQLQueryString = "UPDATE feed_events SET payload = '{\"type\":\"erased\"}' WHERE business_id = \(bind: business) AND ("
            for (index, id) in sessions.enumerated() {
                feed += index == 0 ? "" : " OR "
                feed += "payload LIKE \(bind: "%\"session_id\":\"\(id.lowercasedText)\"%")"
            }
            feed += ")"
            try await sql.raw(feed).run()
            try await sql.raw("DELETE FROM chat_sessions WHERE id IN \(list)").run()
        }
    }

    package func deleteVisitor(_ id: UUID) async throws {
        try await db.sql().raw("DELETE FROM visitors WHERE id = \(bind: id)").run()
    }
}
