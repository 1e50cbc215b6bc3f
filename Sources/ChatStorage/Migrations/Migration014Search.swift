import Fluent
import SQLKit

/// The search index. SQLite: an FTS5 table of the texts (`message_search`, its rowid that of
/// `search_entries`, which holds the rest; FTS5 folds case and accents), and how far the feed is
/// indexed (`search_cursor`). PostgreSQL: one table with the folded words as a `tsvector` under a
/// GIN index, and how far each business's feed is indexed (`search_positions`). Both number
/// entries in the order they were indexed (`position`, newest first in results).
struct Migration014Search: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = try database.sql()
        if sql.dialect.name == "postgresql" {
            try await sql.raw("""
                CREATE TABLE search_entries (
                    position BIGSERIAL PRIMARY KEY,
                    message_id UUID NOT NULL UNIQUE,
                    business_id UUID NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
                    session_id UUID NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
                    content TEXT NOT NULL,
                    sender_type TEXT NOT NULL,
                    is_private BOOLEAN NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL,
                    words TSVECTOR NOT NULL)
                """).run()
            try await sql.raw("CREATE INDEX search_entries_words ON search_entries USING GIN (words)").run()
            try await sql.raw("CREATE INDEX search_entries_by_business ON search_entries (business_id, position)").run()
        } else {
            try await sql.raw("""
                CREATE TABLE search_entries (
                    position INTEGER PRIMARY KEY,
                    message_id TEXT NOT NULL UNIQUE,
                    business_id TEXT NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
                    session_id TEXT NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
                    content TEXT NOT NULL,
                    sender_type TEXT NOT NULL,
                    is_private INTEGER NOT NULL,
                    created_at REAL NOT NULL)
                """).run()
            try await sql.raw("""
                CREATE VIRTUAL TABLE message_search USING fts5 (words, tokenize = "unicode61 remove_diacritics 2")
                """).run()
            // How far the feed is indexed, by `feed_events.id` (one writer: ids are in commit order).
            try await sql.raw("CREATE TABLE search_cursor (id INTEGER PRIMARY KEY CHECK (id = 1), feed_id INTEGER NOT NULL)").run()
            try await sql.raw("INSERT INTO search_cursor (id, feed_id) VALUES (1, 0)").run()
        }
        try await sql.raw("CREATE INDEX search_entries_by_session ON search_entries (session_id)").run()
        try await database.schema("search_positions")
            .field("business_id", .uuid, .identifier(auto: false), .references(BusinessModel.schema, .id, onDelete: .cascade))
            .field("position", .int, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        let sql = try database.sql()
        try await database.schema("search_positions").delete()
        if sql.dialect.name != "postgresql" {
            try await sql.raw("DROP TABLE search_cursor").run()
            try await sql.raw("DROP TABLE message_search").run()
        }
        try await sql.raw("DROP TABLE search_entries").run()
    }
}
