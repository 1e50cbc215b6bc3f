import Fluent
import Foundation

/// A support agent of a business: created by an admin (email + password) or provisioned on first
/// sight of a valid agent token (no password). `@unchecked Sendable`: see `Business`.
final class Agent: Model, @unchecked Sendable {
    static let schema = "agents"

    @ID(key: .id) var id: UUID?
    @Field(key: "business_id") var businessID: UUID
    @OptionalField(key: "email") var email: String?
    @OptionalField(key: "password_hash") var passwordHash: String?
    @Field(key: "name") var name: String
    /// The department the agent works in; nil: all departments of the business.
    @OptionalField(key: "department_id") var departmentID: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(id: UUID = UUID(), businessID: UUID, email: String?, passwordHash: String?, name: String) {
        self.id = id
        self.businessID = businessID
        self.email = email
        self.passwordHash = passwordHash
        self.name = name
        self.createdAt = WireTime.now()
    }
}
