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
    @OptionalField(key: "greeting") var greeting: String?
    @OptionalField(key: "offline_message") var offlineMessage: String?
    /// `off`, `optional` or `required`.
    @Field(key: "prechat_name") var prechatName: String
    @Field(key: "prechat_email") var prechatEmail: String
    @OptionalField(key: "retention_days") var retentionDays: Int?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(_ business: Business) {
        id = business.id
        name = business.name
        identitySecret = business.identitySecret
        allowedOrigins = business.allowedOrigins
        allowUnverifiedCustomerIDs = business.allowUnverifiedCustomerIDs
        autoAssign = business.autoAssign
        greeting = business.greeting
        offlineMessage = business.offlineMessage
        prechatName = business.prechat.name.rawValue
        prechatEmail = business.prechat.email.rawValue
        retentionDays = business.retentionDays
        createdAt = business.createdAt
    }

    var record: Business {
        Business(id: id ?? UUID(), name: name, identitySecret: identitySecret, allowedOrigins: allowedOrigins,
                 allowUnverifiedCustomerIDs: allowUnverifiedCustomerIDs, autoAssign: autoAssign, greeting: greeting,
                 offlineMessage: offlineMessage,
                 prechat: Prechat(name: Prechat.Rule(rawValue: prechatName) ?? .off, email: Prechat.Rule(rawValue: prechatEmail) ?? .off),
                 retentionDays: retentionDays, createdAt: createdAt)
    }
}
