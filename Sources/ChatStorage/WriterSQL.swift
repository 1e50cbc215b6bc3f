import Foundation
import SQLKit

/// The message writer's statements, each written once for both stores: parameters are `$1`,
/// `$2` … in the order they first appear, which PostgreSQL reads as positions and SQLite as names
/// numbered by first appearance (so SQLite's C API binds them by the same numbers).
enum WriterSQL {
    static let insertVisitor = """
        INSERT INTO visitors (id, business_id, external_customer_id, name, email, created_at) VALUES ($1, $2, $3, $4, $5, $6)
        """

    /// The partial unique index (one active session per visitor) turns a second one into no row.
    static let insertSession = """
        INSERT INTO chat_sessions (id, business_id, department_id, visitor_id, started_at, ended_at, last_seq, assigned_agent_id) \
        VALUES ($1, $2, $3, $4, $5, $6, 0, $7) ON CONFLICT DO NOTHING RETURNING id
        """

    static let activeSession = """
        SELECT id, department_id, started_at, assigned_agent_id FROM chat_sessions \
        WHERE business_id = $1 AND visitor_id = $2 AND ended_at IS NULL
        """

    /// The columns of a stored message, in the order the inserts bind them.
    static let messageColumns = "id, session_id, seq, type, content, file, file_name, is_audio, attachment_id, sender_id, sender_type, client_id, created_at"

    static let insertMessage = """
        INSERT INTO chat_messages (\(messageColumns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        """

    /// SQLite's writer: whether a session has ended, and its last number (`last_seq`, or its
    /// messages' highest where the column lags: the writer keeps numbers in memory and writes them back).
    static let sessionState = """
        SELECT ended_at IS NOT NULL, last_seq, (SELECT MAX(seq) FROM chat_messages WHERE session_id = $1) FROM chat_sessions WHERE id = $1
        """

    /// SQLite's writer: a session's last number, written back.
    static let setLastSeq = "UPDATE chat_sessions SET last_seq = $1 WHERE id = $2"

    /// Every statement above, for the test that their parameters first appear in order.
    static let all = [insertVisitor, insertSession, activeSession, messageColumns, insertMessage, endSession, linkAttachment,
                      duplicate, sessionState, setLastSeq]

    static let endSession = "UPDATE chat_sessions SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL RETURNING business_id"

    static let linkAttachment = "UPDATE attachments SET message_id = $1 WHERE id = $2 AND message_id IS NULL"

    /// The stored message a repeated `client_id` of the same sender names.
    static let duplicate = """
        SELECT id, seq, type, content, file, file_name, is_audio, sender_type, created_at FROM chat_messages \
        WHERE session_id = $1 AND sender_id = $2 AND client_id = $3
        """

    /// `text` for SQLKit: each `$n` bound to `binds[n - 1]` (written as the database's dialect writes parameters).
    static func query(_ text: String, _ binds: [any Encodable & Sendable]) -> SQLQueryString {
        var query: SQLQueryString = ""
        var literal = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if character == "$", next < text.endIndex, text[next].isASCII, text[next].isNumber {
                var end = next
                while end < text.endIndex, text[end].isASCII, text[end].isNumber { end = text.index(after: end) }
                query.appendLiteral(literal)
                literal = ""
                let number = Int(text[next..<end]) ?? 0
                precondition(binds.indices.contains(number - 1), "no value for $\(number)")  // the statements above: $1 … $n
                query.appendInterpolation(bind: binds[number - 1])
                index = end
            } else {
                literal.append(character)
                index = next
            }
        }
        query.appendLiteral(literal)
        return query
    }
}
