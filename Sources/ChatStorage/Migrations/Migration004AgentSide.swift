import Fluent
import SQLKit

/// The agent side: assignment, agents' departments, auto-assignment, read markers and the
/// business feed's stored events (so a reconnecting feed can catch up from a cursor).
struct Migration004AgentSide: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ChatSessionModel.schema)
            .field("assigned_agent_id", .uuid)
            .update()
        try await database.schema(AgentModel.schema)
            .field("department_id", .uuid)
            .update()
        try await database.schema(BusinessModel.schema)
            .field("auto_assign", .bool, .required, .sql(.default(false)))
            .update()
        try await database.schema(ReadMarkerModel.schema)
            .id()
            .field("session_id", .uuid, .required, .references(ChatSessionModel.schema, .id, onDelete: .cascade))
            .field("reader_id", .uuid, .required)
            .field("last_read_seq", .int, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "session_id", "reader_id")
            .create()
        try await database.schema(FeedEventModel.schema)
            .field("cursor", .int, .identifier(auto: true))
            .field("business_id", .uuid, .required)
            .field("type", .string, .required)
            .field("payload", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        let sql = try database.sql()
        try await sql.raw("CREATE INDEX feed_events_by_business ON feed_events (business_id, cursor)").run()
        try await sql.raw("CREATE INDEX chat_sessions_by_assignee ON chat_sessions (business_id, assigned_agent_id)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(FeedEventModel.schema).delete()
        try await database.schema(ReadMarkerModel.schema).delete()
        try await database.schema(BusinessModel.schema).deleteField("auto_assign").update()
        try await database.schema(AgentModel.schema).deleteField("department_id").update()
        try await database.schema(ChatSessionModel.schema).deleteField("assigned_agent_id").update()
    }
}
