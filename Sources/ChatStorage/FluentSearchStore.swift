import ChatDomain
import Fluent
import Foundation
import SQLKit

/// The search index, filled from the businesses' feeds in commit order, so "every event past the
/// last one indexed" misses none, on either store and with several nodes, and the message writer
/// does no extra work.
package struct FluentSearchStore: SearchStore {
    let db: any Database

    package init(db: any Database) {
        self.db = db
    }

    private struct FeedMessage: Decodable {
        let message: WireMessage
    }

    private var isPostgres: Bool { (try? db.sql().dialect.name) == "postgresql" }

    package func search(business: UUID, words: [String], before: Int?, limit: Int) async throws -> [Search.Hit] {
        let sql = try db.sql()
        var query: SQLQueryString
        if isPostgres {
            // Quoted lexemes cast as they are (`::tsquery`): no parser reads them, so no word can
            // make a syntax error (a word has letters and digits only, never a quote).
            let terms = words.map { "'\($0)':*" }.joined(separator: " & ")
            query = """
                SELECT position, message_id, session_id, business_id, content, sender_type, is_private, created_at FROM search_entries
                WHERE business_id = \(bind: business) AND words @@ CAST(\(bind: terms) AS tsquery)
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

    package func indexPending(limit: Int) async throws -> Int {
        isPostgres ? try await indexPendingPostgres(limit: limit) : try await indexPendingSQLite(limit: limit)
    }

    /// SQLite: a few statements whatever the number of messages, all in SQL (JSON read by
    /// `json_extract`, words by FTS5's tokenizer): no row crosses into Swift. The feed is read
    /// by its global `id`, in commit order since SQLite has one writer at a time. Reads come
    /// before the transaction, which only writes, so it waits for the message writer's lock like
    /// any writer instead of failing; it is kept short (`limit` events) so the writer waits little.
    private func indexPendingSQLite(limit: Int) async throws -> Int {
        let sql = try db.sql()
        guard let row = try await sql.raw("""
            SELECT c.feed_id AS done, (SELECT COALESCE(MAX(id), 0) FROM feed_events) AS top FROM search_cursor c WHERE c.id = 1
            """).first() else { return 0 }
        let done = try row.decode(column: "done", as: Int.self)
        let top = try row.decode(column: "top", as: Int.self)
        guard top > done else { return 0 }
        let upTo = min(top, done + limit)
        try await db.transaction { tx in
            let sql = try tx.sql()
            let before = try await sql.raw("SELECT COALESCE(MAX(position), 0) AS p FROM search_entries").first()?
                .decode(column: "p", as: Int.self) ?? 0
            try await sql.raw("""
                INSERT INTO search_entries (message_id, business_id, session_id, content, sender_type, is_private, created_at)
                SELECT upper(json_extract(f.payload, '$.message.id')), f.business_id, upper(json_extract(f.payload, '$.message.session_id')),
                       COALESCE(json_extract(f.payload, '$.message.content'), json_extract(f.payload, '$.message.file_name')),
                       json_extract(f.payload, '$.message.sender_type'), json_extract(f.payload, '$.message.type') = \(bind: WireMessage.noteType),
                       f.created_at
                FROM feed_events f
                WHERE f.id > \(bind: done) AND f.id <= \(bind: upTo) AND f.type = 'message'
                  AND COALESCE(json_extract(f.payload, '$.message.content'), json_extract(f.payload, '$.message.file_name'), '') <> ''
                ORDER BY f.id
                ON CONFLICT (message_id) DO NOTHING
                """).run()
            try await sql.raw("""
                INSERT INTO message_search (rowid, words) SELECT position, content FROM search_entries WHERE position > \(bind: before)
                """).run()
            try await sql.raw("UPDATE search_cursor SET feed_id = \(bind: upTo) WHERE id = 1").run()
        }
        return upTo - done
    }

    /// PostgreSQL: each business's feed past its position (a business's `cursor` is dense and in
    /// commit order; the global id is not, with several writers). The words are folded in Swift
    /// (PostgreSQL has no accent folding without an extension). One node indexes at a time (the
    /// others skip the round), and an entry indexed twice is kept once (`message_id` is unique).
    private func indexPendingPostgres(limit: Int) async throws -> Int {
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
        try await db.transaction { [entries, positions] tx in
            let sql = try tx.sql()
            let turn = try await sql.raw("SELECT pg_try_advisory_xact_lock(\(bind: Self.indexerLockKey)) AS turn").first()
            guard try turn?.decode(column: "turn", as: Bool.self) == true else { return }
            for start in stride(from: 0, to: entries.count, by: 200) {
                try await Self.insert(entries[start..<min(start + 200, entries.count)], on: sql)
            }
            for (business, position) in positions {
                try await sql.raw("""
                    INSERT INTO search_positions (business_id, position) VALUES (\(bind: business), \(bind: position))
                    ON CONFLICT (business_id) DO UPDATE SET position = GREATEST(search_positions.position, excluded.position)
                    """).run()
            }
        }
        return events
    }

    /// The key of the indexer's turn on PostgreSQL (an advisory lock).
    private static let indexerLockKey: Int64 = 0x5EA2_C41D

    private static func insert(_ entries: ArraySlice<Search.Entry>, on sql: any SQLDatabase) async throws {
        guard !entries.isEmpty else { return }
        var query: SQLQueryString = """
            INSERT INTO search_entries (message_id, business_id, session_id, content, sender_type, is_private, created_at, words) VALUES
            """
        for (index, entry) in entries.enumerated() {
            query += index == 0 ? " (" : ", ("
            query += "\(bind: entry.messageID), \(bind: entry.businessID), \(bind: entry.sessionID), \(bind: entry.content), "
            query += "\(bind: entry.senderType), \(bind: entry.isPrivate), \(bind: entry.createdAt), "
            query += "to_tsvector('simple', \(bind: Search.indexText(of: entry.content))))"
        }
        query += " ON CONFLICT (message_id) DO NOTHING"
        try await sql.raw(query).run()
    }
}
