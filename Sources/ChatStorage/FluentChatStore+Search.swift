import ChatDomain
import Fluent
import Foundation
import SQLKit

/// The search index, filled from the businesses' feeds: a business's `message` events are
/// numbered in commit order (`feed_events.cursor`), so "every event past the last one indexed"
/// misses none, on either store and with several nodes, and the writer does no extra work.
extension FluentChatStore {
    private struct FeedMessage: Decodable {
        let message: WireMessage
    }

    private var isPostgres: Bool { (try? db.sql().dialect.name) == "postgresql" }

    package func search(business: UUID, words: [String], before: Int?, limit: Int) async throws -> [Search.Hit] {
        let sql = try db.sql()
        var query: SQLQueryString
        if isPostgres {
            let terms = words.map { "\($0):*" }.joined(separator: " & ")
            query = """
                SELECT position, message_id, session_id, business_id, content, sender_type, is_private, created_at FROM search_entries
                WHERE business_id = \(bind: business) AND words @@ to_tsquery('simple', \(bind: terms))
                """
            if let before { query += " AND position < \(bind: before)" }
            query += " ORDER BY position DESC LIMIT \(bind: limit)"
        } else {
            // The words are letters and digits only: quoted, each is a prefix query of its own.
            let terms = words.map { "\"\($0)\"*" }.joined(separator: " AND ")
            query = """
                SELECT e.position AS position, e.message_id AS message_id, e.session_id AS session_id, e.business_id AS business_id,
                       e.content AS content, e.sender_type AS sender_type, e.is_private AS is_private, e.created_at AS created_at
                FROM message_search f JOIN search_entries e ON e.position = f.rowid
                WHERE message_search MATCH \(bind: terms) AND e.business_id = \(bind: business)
                """
            if let before { query += " AND f.rowid < \(bind: before)" }
            query += " ORDER BY f.rowid DESC LIMIT \(bind: limit)"
        }
        return try await sql.raw(query).all().map { row in
            Search.Hit(entry: Search.Entry(
                messageID: try row.decode(column: "message_id", as: UUID.self), sessionID: try row.decode(column: "session_id", as: UUID.self),
                businessID: try row.decode(column: "business_id", as: UUID.self), content: try row.decode(column: "content", as: String.self),
                senderType: try row.decode(column: "sender_type", as: String.self),
                isPrivate: try row.decode(column: "is_private", as: Bool.self), createdAt: try row.decode(column: "created_at", as: Date.self)),
                position: try row.decode(column: "position", as: Int.self))
        }
    }

    /// Reads outside a transaction, writes in one: on SQLite a transaction that reads before it
    /// writes may not get the write lock while the message writer commits. With several nodes on
    /// PostgreSQL one indexes at a time (the others skip the round), and an entry indexed twice is
    /// kept once (`message_id` is unique).
    package func indexPending(limit: Int) async throws -> Int {
        let sql = try db.sql()
        var behind: [(business: UUID, done: Int)] = []
        for row in try await sql.raw("""
            SELECT b.id AS business_id, COALESCE(p.position, 0) AS done,
                   (SELECT MAX(f.cursor) FROM feed_events f WHERE f.business_id = b.id) AS top
            FROM businesses b LEFT JOIN search_positions p ON p.business_id = b.id
            """).all() {
            let done = try row.decode(column: "done", as: Int.self)
            if let top = try row.decode(column: "top", as: Int?.self), top > done {
                behind.append((try row.decode(column: "business_id", as: UUID.self), done))
            }
        }
        var events = 0
        var entries: [Search.Entry] = []
        var positions: [(business: UUID, position: Int)] = []
        for (business, done) in behind where events < limit {
            var last = done
            for row in try await sql.raw("""
                SELECT cursor, type, payload FROM feed_events WHERE business_id = \(bind: business) AND cursor > \(bind: done)
                ORDER BY cursor LIMIT \(bind: limit - events)
                """).all() {
                last = try row.decode(column: "cursor", as: Int.self)
                events += 1
                guard try row.decode(column: "type", as: String.self) == "message" else { continue }
                let payload = try row.decode(column: "payload", as: String.self)
                // An event that does not decode is skipped, not retried for ever.
                guard let message = try? JSONDecoder().decode(FeedMessage.self, from: Data(payload.utf8)).message,
                      let entry = Search.Entry(message, business: business) else { continue }
                entries.append(entry)
            }
            positions.append((business, last))
        }
        guard !positions.isEmpty else { return 0 }
        let postgres = isPostgres
        try await db.transaction { [entries, positions] tx in
            let sql = try tx.sql()
            if postgres {
                let turn = try await sql.raw("SELECT pg_try_advisory_xact_lock(\(bind: Self.indexerLockKey)) AS turn").first()
                guard try turn?.decode(column: "turn", as: Bool.self) == true else { return }
            }
            for chunk in stride(from: 0, to: entries.count, by: 200).map({ entries[$0..<min($0 + 200, entries.count)] }) {
                try await Self.insert(chunk, postgres: postgres, on: sql)
            }
            for (business, position) in positions {
                try await sql.raw("""
                    INSERT INTO search_positions (business_id, position) VALUES (\(bind: business), \(bind: position))
                    ON CONFLICT (business_id) DO UPDATE SET position = CASE WHEN search_positions.position > excluded.position
                        THEN search_positions.position ELSE excluded.position END
                    """).run()
            }
        }
        return events
    }

    /// The key of the indexer's turn on PostgreSQL (an advisory lock).
    private static let indexerLockKey: Int64 = 0x5EA2_C41D

    private static func insert(_ entries: ArraySlice<Search.Entry>, postgres: Bool, on sql: any SQLDatabase) async throws {
        guard !entries.isEmpty else { return }
        var query: SQLQueryString = """
            INSERT INTO search_entries (message_id, business_id, session_id, content, sender_type, is_private, created_at\(unsafeRaw: postgres ? ", words" : "")) VALUES
            """
        for (index, entry) in entries.enumerated() {
            query += index == 0 ? " (" : ", ("
            query += "\(bind: entry.messageID), \(bind: entry.businessID), \(bind: entry.sessionID), \(bind: entry.content), "
            query += "\(bind: entry.senderType), \(bind: entry.isPrivate), \(bind: entry.createdAt)"
            if postgres { query += ", to_tsvector('simple', \(bind: Search.indexText(of: entry.content)))" }
            query += ")"
        }
        query += " ON CONFLICT (message_id) DO NOTHING RETURNING position, message_id"
        let rows = try await sql.raw(query).all()
        guard !postgres, !rows.isEmpty else { return }
        let words = Dictionary(entries.map { ($0.messageID, Search.indexText(of: $0.content)) }, uniquingKeysWith: { first, _ in first })
        var fts: SQLQueryString = "INSERT INTO message_search (rowid, words) VALUES"
        for (index, row) in rows.enumerated() {
            let id = try row.decode(column: "message_id", as: UUID.self)
            fts += index == 0 ? " (" : ", ("
            fts += "\(bind: try row.decode(column: "position", as: Int.self)), \(bind: words[id] ?? "")"
            fts += ")"
        }
        try await sql.raw(fts).run()
    }
}
