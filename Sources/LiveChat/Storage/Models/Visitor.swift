import Fluent
import Foundation

/// Someone on a merchant's site: a guest, or an external customer proven by the merchant.
/// `@unchecked Sendable`: see `Business`.
final class Visitor: Model, @unchecked Sendable {
    static let schema = "visitors"

    @ID(key: .id) var id: UUID?
    @Field(key: "business_id") var businessID: UUID
    @OptionalField(key: "external_customer_id") var externalCustomerID: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(id: UUID = UUID(), businessID: UUID, externalCustomerID: String?) {
        self.id = id
        self.businessID = businessID
        self.externalCustomerID = externalCustomerID
        self.createdAt = WireTime.now()
    }
}
