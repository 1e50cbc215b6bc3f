import Foundation

/// A merchant: who may embed its chat, how its customers are proven, whether chats are dealt out,
/// and what its widget says (its settings, `GET`/`PATCH /chat/settings/`).
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
    /// Shown in the widget before the first message.
    package var greeting: String?
    /// Shown in the widget while no agent of the business is online.
    package var offlineMessage: String?
    /// What the widget asks before a chat starts.
    package var prechat: Prechat
    /// Ended sessions older than this many days are erased; nil keeps them.
    package var retentionDays: Int?
    package var createdAt: Date

    package init(id: UUID = UUID(), name: String, identitySecret: String, allowedOrigins: [String],
                 allowUnverifiedCustomerIDs: Bool, autoAssign: Bool = false, greeting: String? = nil, offlineMessage: String? = nil,
                 prechat: Prechat = Prechat(), retentionDays: Int? = nil, createdAt: Date = WireTime.now()) {
        self.id = id
        self.name = name
        self.identitySecret = identitySecret
        self.allowedOrigins = allowedOrigins
        self.allowUnverifiedCustomerIDs = allowUnverifiedCustomerIDs
        self.autoAssign = autoAssign
        self.greeting = greeting
        self.offlineMessage = offlineMessage
        self.prechat = prechat
        self.retentionDays = retentionDays
        self.createdAt = createdAt
    }
}

/// The widget's pre-chat form: for the visitor's name and email, whether it asks, and whether an
/// answer is required to start a chat.
package struct Prechat: Sendable, Equatable {
    package enum Rule: String, Sendable, CaseIterable {
        case off, optional, required
    }

    package var name: Rule
    package var email: Rule

    package init(name: Rule = .off, email: Rule = .off) {
        self.name = name
        self.email = email
    }
}
