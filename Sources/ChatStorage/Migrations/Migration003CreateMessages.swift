import Fluent
import SQLKit

/// Messages (numbered per session; a client's `client_id` stored once per sender) and attachments.
/// Message ids are time-ordered (UUIDv7), so new rows land at the end of the primary key index.
struct Migration003CreateMessages: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ChatMessageModel.schema)
            .id()
            .field("session_id", .uuid, .required, .references(ChatSessionModel.schema, .id, onDelete: .cascade))
            .field("seq", .int, .required)
            .field("type", .string, .required)
            .field("content", .string)
            .field("file", .string)
            .field("file_name", .string)
            .field("is_audio", .bool, .required)
            .field("attachment_id", .uuid)
            .field("sender_id", .uuid, .required)
            .field("sender_type", .string, .required)
            .field("client_id", .string)
            .field("created_at", .datetime, .required)
            .unique(on: "session_id", "seq")
            .create()
        // Only messages sent with a client_id are indexed for resends: the others cost no index write.
        try await database.sql().raw("""
            CREATE UNIQUE INDEX chat_messages_client_id ON chat_messages (session_id, sender_id, client_id)
            WHERE client_id IS NOT NULL
            """).run()
        try await database.schema(AttachmentModel.schema)
            .id()
            .field("session_id", .uuid, .required, .references(ChatSessionModel.schema, .id, onDelete: .cascade))
            .field("stored_name", .string, .required)
            .field("url", .string, .required)
            .field("file_name", .string, .required)
            .field("content_type", .string, .required)
            .field("size", .int, .required)
            .field("message_id", .uuid)
            .field("uploaded_by_end_user", .uuid)
            .field("uploaded_by_agent", .uuid)
            .field("created_at", .datetime, .required)
            .unique(on: "stored_name")
            .create()
        try await database.sql().raw("CREATE INDEX attachments_by_session ON attachments (session_id, created_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AttachmentModel.schema).delete()
        try await database.schema(ChatMessageModel.schema).delete()
    }
}
