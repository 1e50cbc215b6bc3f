import Fluent
import SQLKit

/// Chat sessions, with the rule "one active session per visitor per business" kept by a partial
/// unique index, so that concurrent starts cannot create two.
struct Migration002CreateSessions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ChatSessionModel.schema)
            .id()
            .field("business_id", .uuid, .required, .references(BusinessModel.schema, .id, onDelete: .cascade))
            .field("department_id", .uuid, .references(DepartmentModel.schema, .id, onDelete: .setNull))
            .field("visitor_id", .uuid, .required, .references(VisitorModel.schema, .id, onDelete: .cascade))
            .field("started_at", .datetime, .required)
            .field("ended_at", .datetime)
            .field("last_seq", .int, .required)
            .create()
        let sql = try database.sql()
        try await sql.raw("""
            CREATE UNIQUE INDEX one_active_session_per_visitor
            ON chat_sessions (business_id, visitor_id) WHERE ended_at IS NULL
            """).run()
        try await sql.raw("CREATE INDEX chat_sessions_by_business ON chat_sessions (business_id, started_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ChatSessionModel.schema).delete()
    }
}
