import Fluent

/// Canned responses (`canned_responses`): a shortcut unique per business, and its text.
struct Migration012CannedResponses: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(CannedResponseModel.schema)
            .id()
            .field("business_id", .uuid, .required, .references(BusinessModel.schema, .id, onDelete: .cascade))
            .field("shortcut", .string, .required)
            .field("content", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "business_id", "shortcut")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CannedResponseModel.schema).delete()
    }
}
