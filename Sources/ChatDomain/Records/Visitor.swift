import Foundation

/// Someone on a merchant's site: a guest, or an external customer proven by the merchant.
package struct Visitor: Sendable, Equatable {
    package var id: UUID
    package var businessID: UUID
    package var externalCustomerID: String?
    package var createdAt: Date

    package init(id: UUID = UUID(), businessID: UUID, externalCustomerID: String?, createdAt: Date = WireTime.now()) {
        self.id = id
        self.businessID = businessID
        self.externalCustomerID = externalCustomerID
        self.createdAt = createdAt
    }
}
