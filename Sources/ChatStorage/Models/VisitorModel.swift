import ChatDomain
import Fluent
import Foundation

/// Someone on a merchant's site: a guest, or an external customer proven by the merchant.
/// `@unchecked Sendable`: see `BusinessModel`.
final class VisitorModel: Model, @unchecked Sendable {
    static let schema = "visitors"

    @ID(key: .id) var id: UUID?
    @Field(key: "business_id") var businessID: UUID
    @OptionalField(key: "external_customer_id") var externalCustomerID: String?
    @OptionalField(key: "name") var name: String?
    @OptionalField(key: "email") var email: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(_ visitor: Visitor) {
        id = visitor.id
        businessID = visitor.businessID
        externalCustomerID = visitor.externalCustomerID
        name = visitor.name
        email = visitor.email
        createdAt = visitor.createdAt
    }

    var record: Visitor {
        Visitor(id: id ?? UUID(), businessID: businessID, externalCustomerID: externalCustomerID, name: name, email: email,
                createdAt: createdAt)
    }
}
