import Fluent
import SQLKit

/// Businesses, their departments and agents, and visitors.
struct Migration001CreateTenancy: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(BusinessModel.schema)
            .id()
            .field("name", .string, .required)
            .field("identity_secret", .string, .required)
            .field("allowed_origins", .array(of: .string), .required)
            .field("allow_unverified_customer_ids", .bool, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(DepartmentModel.schema)
            .id()
            .field("business_id", .uuid, .required, .references(BusinessModel.schema, .id, onDelete: .cascade))
            .field("name", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(AgentModel.schema)
            .id()
            .field("business_id", .uuid, .required, .references(BusinessModel.schema, .id, onDelete: .cascade))
            .field("email", .string)
            .field("password_hash", .string)
            .field("name", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "email")
            .create()
        try await database.schema(VisitorModel.schema)
            .id()
            .field("business_id", .uuid, .required, .references(BusinessModel.schema, .id, onDelete: .cascade))
            .field("external_customer_id", .string)
            .field("created_at", .datetime, .required)
            .unique(on: "business_id", "external_customer_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        for schema in [VisitorModel.schema, AgentModel.schema, DepartmentModel.schema, BusinessModel.schema] {
            try await database.schema(schema).delete()
        }
    }
}
