import Foundation

/// Someone on a merchant's site: a guest, or an external customer proven by the merchant; with the
/// name and email the widget's pre-chat form asked for, when it did.
package struct Visitor: Sendable, Equatable {
    package var id: UUID
    package var businessID: UUID
    package var externalCustomerID: String?
    package var name: String?
    package var email: String?
    package var createdAt: Date

    package init(id: UUID = UUID(), businessID: UUID, externalCustomerID: String?, name: String? = nil, email: String? = nil,
                 createdAt: Date = WireTime.now()) {
        self.id = id
        self.businessID = businessID
        self.externalCustomerID = externalCustomerID
        self.name = name
        self.email = email
        self.createdAt = createdAt
    }
}
