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


    /// SQL rather than `Model.create` (see `insert(_: ChatSession)`): start-session makes one per guest.
    package func insert(_ visitor: Visitor) async throws {
        try await db.sql().raw("""
            INSERT INTO visitors (id, business_id, external_customer_id, name, email, created_at)
            VALUES (\(bind: visitor.id), \(bind: visitor.businessID), \(bind: visitor.externalCustomerID), \(bind: visitor.name),
                    \(bind: visitor.email), \(bind: visitor.createdAt))
            """).run()
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
