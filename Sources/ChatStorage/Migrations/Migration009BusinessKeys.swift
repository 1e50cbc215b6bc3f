import Fluent
import SQLKit

/// Businesses' own signing keys (`business_keys`), by `kid`.
struct Migration009BusinessKeys: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(BusinessKeyModel.schema)
            .field("kid", .string, .identifier(auto: false))
            .field("business_id", .uuid, .required, .references(BusinessModel.schema, .id, onDelete: .cascade))
            .field("algorithm", .string, .required)
            .field("secret", .string)
            .field("jwk", .string)
            .field("created_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .create()
        try await database.sql().raw("CREATE INDEX business_keys_by_business ON business_keys (business_id, created_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(BusinessKeyModel.schema).delete()
    }
}
