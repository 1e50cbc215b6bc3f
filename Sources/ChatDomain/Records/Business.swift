import Foundation

/// A merchant: who may embed its chat, how its customers are proven, whether chats are dealt out.
package struct Business: Sendable, Equatable {
    package var id: UUID
    package var name: String
    /// Signs the merchant's customer tokens (HS256).
    package var identitySecret: String
    /// Page origins allowed to open chats; empty allows every origin.
    package var allowedOrigins: [String]
    package var allowUnverifiedCustomerIDs: Bool
    /// New chats are assigned round-robin to the online agents of their department.
    package var autoAssign: Bool
    package var createdAt: Date

    package init(id: UUID = UUID(), name: String, identitySecret: String, allowedOrigins: [String],
                 allowUnverifiedCustomerIDs: Bool, autoAssign: Bool = false, createdAt: Date = WireTime.now()) {
        self.id = id
        self.name = name
        self.identitySecret = identitySecret
        self.allowedOrigins = allowedOrigins
        self.allowUnverifiedCustomerIDs = allowUnverifiedCustomerIDs
        self.autoAssign = autoAssign
        self.createdAt = createdAt
    }
}
