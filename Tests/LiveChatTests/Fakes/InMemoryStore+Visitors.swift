import Foundation
@testable import ChatDomain

/// `VisitorStore`: an external customer id once per business (guests, without one, any number).
extension InMemoryStore: VisitorStore {
    /// A test's setup (the port has no insert: the writer stores a visitor with its first session).
    func insert(_ visitor: Visitor) async throws {
        try withTables { tables in try tables.insertVisitor(visitor) }
    }

    /// Both answers written as given (nil clears).
    func updateProfile(of visitor: UUID, name: String?, email: String?) async throws {
        reading { tables in
            guard let index = tables.visitors.firstIndex(where: { $0.id == visitor }) else { return }
            tables.visitors[index].name = name
            tables.visitors[index].email = email
        }
    }

    func visitor(_ id: UUID) async throws -> Visitor? {
        reading { $0.visitors.first { $0.id == id } }
    }

    func visitor(business: UUID, externalCustomerID: String) async throws -> Visitor? {
        reading { $0.visitors.first { $0.businessID == business && $0.externalCustomerID == externalCustomerID } }
    }
}

extension Tables {
    /// The `visitors` insert, shared with the writer's openings.
    mutating func insertVisitor(_ visitor: Visitor) throws {
        guard !visitors.contains(where: { $0.id == visitor.id }) else { throw FakeStoreError.uniqueViolation("visitors.id") }
        if let external = visitor.externalCustomerID,
           visitors.contains(where: { $0.businessID == visitor.businessID && $0.externalCustomerID == external }) {
            throw FakeStoreError.uniqueViolation("visitors.business_id_external_customer_id")
        }
        try requireBusiness(visitor.businessID)
        visitors.append(visitor)
    }
}
