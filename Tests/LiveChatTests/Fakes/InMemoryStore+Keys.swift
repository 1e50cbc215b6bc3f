import Foundation
@testable import ChatDomain

/// `BusinessKeyStore`: businesses' signing keys, by `kid` (the primary key).
extension InMemoryStore: BusinessKeyStore {
    func insert(_ key: BusinessKey) async throws {
        try withTables { tables in
            guard !tables.keys.contains(where: { $0.kid == key.kid }) else { throw FakeStoreError.uniqueViolation("business_keys.kid") }
            try tables.requireBusiness(key.businessID)
            tables.keys.append(key)
        }
    }

    func key(_ kid: String) async throws -> BusinessKey? {
        reading { $0.keys.first { $0.kid == kid } }
    }

    func keys(of business: UUID) async throws -> [BusinessKey] {
        reading { oldestFirst($0.keys.filter { $0.businessID == business && $0.revokedAt == nil }, by: \.createdAt) }
    }

    func revokeKey(_ kid: String, of business: UUID, at date: Date) async throws -> Bool {
        reading { tables in
            guard let index = tables.keys.firstIndex(where: { $0.kid == kid && $0.businessID == business && $0.revokedAt == nil }) else {
                return false
            }
            tables.keys[index].revokedAt = date
            return true
        }
    }
}
