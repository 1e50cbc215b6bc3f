import ChatDomain
import Fluent
import Foundation
import SQLKit

/// Visitors: guests and proven customers.
package struct FluentVisitorStore: VisitorStore {
    let db: any Database

    package init(db: any Database) {
        self.db = db
    }

    package func updateProfile(of visitor: UUID, name: String?, email: String?) async throws {
        try await VisitorModel.query(on: db).filter(\.$id == visitor).set(\.$name, to: name).set(\.$email, to: email).update()
    }

    package func visitor(_ id: UUID) async throws -> Visitor? {
        try await VisitorModel.find(id, on: db)?.record
    }

    package func visitor(business: UUID, externalCustomerID: String) async throws -> Visitor? {
        try await VisitorModel.query(on: db)
            .filter(\.$businessID == business)
            .filter(\.$externalCustomerID == externalCustomerID)
            .first()?.record
    }
}
