import Fluent
import SQLKit

/// `chat_sessions.last_seq` is a session's last message number on both stores: the SQLite writer
/// numbered from its memory and left the column at 0, so a SQLite database's sessions get theirs.
struct Migration016LastSeq: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.sql().raw("""
            UPDATE chat_sessions SET last_seq = (SELECT COALESCE(MAX(seq), 0) FROM chat_messages WHERE session_id = chat_sessions.id) \
            WHERE last_seq < (SELECT COALESCE(MAX(seq), 0) FROM chat_messages WHERE session_id = chat_sessions.id)
            """).run()
    }

    /// Nothing to undo: the numbers stay right.
    func revert(on database: any Database) async throws {}
}
