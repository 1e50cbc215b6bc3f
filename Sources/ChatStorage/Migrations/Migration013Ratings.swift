import Fluent

/// Ratings of ended sessions (`session_ratings`): the session is the key, so a second is refused.
struct Migration013Ratings: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("session_ratings")
            .field("session_id", .uuid, .identifier(auto: false), .references(ChatSessionModel.schema, .id, onDelete: .cascade))
            .field("business_id", .uuid, .required, .references(BusinessModel.schema, .id, onDelete: .cascade))
            .field("score", .int, .required)
            .field("comment", .string)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("session_ratings").delete()
    }
}
