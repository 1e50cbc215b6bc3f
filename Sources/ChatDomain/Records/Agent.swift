import Foundation

/// A support agent of a business: created by an admin (email + password) or provisioned on first
/// sight of a valid agent token (no password).
package struct Agent: Sendable, Equatable {
    package var id: UUID
    package var businessID: UUID
    package var email: String?
    package var passwordHash: String?
    package var name: String
    /// The department the agent works in; nil: all departments of the business.
    package var departmentID: UUID?
    package var createdAt: Date
    /// False once deactivated (`PATCH /admin/businesses/<id>/agents/<agent_id>/`): refused everywhere.
    package var active: Bool
    /// A business admin: manages the business's settings, agents, canned responses and webhooks.
    package var isAdmin: Bool

    package init(id: UUID = UUID(), businessID: UUID, email: String?, passwordHash: String?, name: String,
                 departmentID: UUID? = nil, createdAt: Date = WireTime.now(), active: Bool = true, isAdmin: Bool = false) {
        self.id = id
        self.businessID = businessID
        self.email = email
        self.passwordHash = passwordHash
        self.name = name
        self.departmentID = departmentID
        self.createdAt = createdAt
        self.active = active
        self.isAdmin = isAdmin
    }
}
