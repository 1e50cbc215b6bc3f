import Fluent
import SQLKit

/// Webhooks, their outbox and their delivery log. A webhook keeps how far it has taken in its
/// business's feed (`feed_position`); a delivery is `pending` (due at `next_attempt_at`),
/// `delivered` or `failed`.
struct Migration015Webhooks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("webhooks")
            .id()
            .field("business_id", .uuid, .required, .references(BusinessModel.schema, .id, onDelete: .cascade))
            .field("url", .string, .required)
            .field("events", .string, .required)
            .field("secret", .string, .required)
            .field("feed_position", .int, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("webhook_deliveries")
            .id()
            .field("webhook_id", .uuid, .required, .references("webhooks", .id, onDelete: .cascade))
            .field("session_id", .uuid)
            .field("event", .string, .required)
            .field("body", .string, .required)
            .field("state", .string, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_at", .datetime, .required)
            .field("created_at", .datetime, .required)
            .field("finished_at", .datetime)
            .create()
        try await database.schema("webhook_attempts")
            .id()
            .field("webhook_id", .uuid, .required, .references("webhooks", .id, onDelete: .cascade))
            .field("delivery_id", .uuid, .required, .references("webhook_deliveries", .id, onDelete: .cascade))
            .field("event", .string, .required)
            .field("status_code", .int)
            .field("error", .string)
            .field("attempted_at", .datetime, .required)
            .create()
        let sql = try database.sql()
        try await sql.raw("CREATE INDEX webhooks_by_business ON webhooks (business_id)").run()
        try await sql.raw("CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at)").run()
        try await sql.raw("CREATE INDEX webhook_deliveries_by_session ON webhook_deliveries (session_id)").run()
        try await sql.raw("CREATE INDEX webhook_attempts_by_webhook ON webhook_attempts (webhook_id, attempted_at)").run()
        try await sql.raw("CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (delivery_id)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("webhook_attempts").delete()
        try await database.schema("webhook_deliveries").delete()
        try await database.schema("webhooks").delete()
    }
}
