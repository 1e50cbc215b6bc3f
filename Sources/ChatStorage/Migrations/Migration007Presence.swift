import Fluent
import SQLKit

/// Presence shared by the nodes (a row per online agent and node, refreshed by its node's
/// heartbeat) and the round-robin turns of auto-assignment.
struct Migration007Presence: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("agent_presence")
            .field("agent_id", .uuid, .required)
            .field("node_id", .uuid, .required)
            .field("business_id", .uuid, .required)
            .field("seen_at", .datetime, .required)
            .compositeIdentifier(over: "agent_id", "node_id")
            .create()
        try await database.schema("assignment_turns")
            .field("pool", .string, .required, .identifier(auto: false))
            .field("turn", .int, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("assignment_turns").delete()
        try await database.schema("agent_presence").delete()
    }
}
