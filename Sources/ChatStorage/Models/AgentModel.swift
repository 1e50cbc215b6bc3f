import ChatDomain
import Fluent
import Foundation

/// A support agent of a business: created by an admin (email + password) or provisioned on first
/// sight of a valid agent token (no password). `@unchecked Sendable`: see `BusinessModel`.
final class AgentModel: Model, @unchecked Sendable {
    static let schema = "agents"

    @ID(key: .id) var id: UUID?
    @Field(key: "business_id") var businessID: UUID
    @OptionalField(key: "email") var email: String?
    @OptionalField(key: "password_hash") var passwordHash: String?
    @Field(key: "name") var name: String
    /// The department the agent works in; nil: all departments of the business.
    @OptionalField(key: "department_id") var departmentID: UUID?
    @Field(key: "created_at") var createdAt: Date
    /// False once deactivated: its tokens are refused.
    @Field(key: "active") var active: Bool
    @Field(key: "is_admin") var isAdmin: Bool

    init() {}

    init(_ agent: Agent) {
        id = agent.id
        businessID = agent.businessID
        email = agent.email
        passwordHash = agent.passwordHash
        name = agent.name
        departmentID = agent.departmentID
        createdAt = agent.createdAt
        active = agent.active
        isAdmin = agent.isAdmin
    }

    var record: Agent {
        Agent(id: id ?? UUID(), businessID: businessID, email: email, passwordHash: passwordHash, name: name,
              departmentID: departmentID, createdAt: createdAt, active: active, isAdmin: isAdmin)
    }
}
