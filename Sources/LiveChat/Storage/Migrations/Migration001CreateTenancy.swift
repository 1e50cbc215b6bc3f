import Fluent
import SQLKit

/// Businesses, their departments and agents, and visitors.
struct Migration001CreateTenancy: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Business.schema)
            .id()
            .field("name", .string, .required)
            .field("identity_secret", .string, .required)
            .field("allowed_origins", .array(of: .string), .required)
            .field("allow_unverified_customer_ids", .bool, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(Department.schema)
            .id()
            .field("business_id", .uuid, .required, .references(Business.schema, .id, onDelete: .cascade))
            .field("name", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(Agent.schema)
            .id()
            .field("business_id", .uuid, .required, .references(Business.schema, .id, onDelete: .cascade))
            .field("email", .string)
            .field("password_hash", .string)
            .field("name", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "email")
            .create()
        try await database.schema(Visitor.schema)
            .id()
            .field("business_id", .uuid, .required, .references(Business.schema, .id, onDelete: .cascade))
            .field("external_customer_id", .string)
            .field("created_at", .datetime, .required)
            .unique(on: "business_id", "external_customer_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        for schema in [Visitor.schema, Agent.schema, Department.schema, Business.schema] {
            try await database.schema(schema).delete()
        }
    }
}
