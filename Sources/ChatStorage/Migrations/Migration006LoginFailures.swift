import Fluent
import SQLKit

/// Failed logins by email and by client address, so that every node throttles them together.
struct Migration006LoginFailures: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("login_failures")
            .id()
            .field("key", .string, .required)
            .field("failed_at", .datetime, .required)
            .create()
        try await database.sql().raw("CREATE INDEX login_failures_by_key ON login_failures (key, failed_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("login_failures").delete()
    }
}
