import Fluent
import SQLKit

/// Logout and deactivation: revoked login tokens (`revoked_tokens`, by `jti`, kept until they
/// expire) and `agents.active`.
struct Migration010Revocations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("revoked_tokens")
            .field("jti", .string, .identifier(auto: false))
            .field("expires_at", .datetime, .required)
            .create()
        try await database.schema(AgentModel.schema)
            .field("active", .bool, .required, .sql(.default(true)))
            .update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AgentModel.schema).deleteField("active").update()
        try await database.schema("revoked_tokens").delete()
    }
}
