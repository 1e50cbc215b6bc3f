import Fluent
import SQLKit

/// Uploaded files' bytes in the database, in numbered chunks (used on PostgreSQL: `DatabaseFileStore`).
struct Migration005AttachmentChunks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("attachment_chunks")
            .field("stored_name", .string, .required)
            .field("idx", .int, .required)
            .field("data", .data, .required)
            .compositeIdentifier(over: "stored_name", "idx")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("attachment_chunks").delete()
    }
}
