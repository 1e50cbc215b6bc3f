import ChatDomain
import Fluent
import Foundation

/// A merchant. Fluent models are the accepted `@unchecked Sendable`: their property wrappers are
/// mutable reference storage, and each instance is only used by the task that loaded it.
final class BusinessModel: Model, @unchecked Sendable {
    static let schema = "businesses"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "identity_secret") var identitySecret: String
    @Field(key: "allowed_origins") var allowedOrigins: [String]
    @Field(key: "allow_unverified_customer_ids") var allowUnverifiedCustomerIDs: Bool
    /// New chats are assigned round-robin to the online agents of their department.
    @Field(key: "auto_assign") var autoAssign: Bool
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(_ business: Business) {
        id = business.id
        name = business.name
        identitySecret = business.identitySecret
        allowedOrigins = business.allowedOrigins
        allowUnverifiedCustomerIDs = business.allowUnverifiedCustomerIDs
        autoAssign = business.autoAssign
        createdAt = business.createdAt
    }

    var record: Business {
        Business(id: id ?? UUID(), name: name, identitySecret: identitySecret, allowedOrigins: allowedOrigins,
                 allowUnverifiedCustomerIDs: allowUnverifiedCustomerIDs, autoAssign: autoAssign, createdAt: createdAt)
    }
}
