import ChatDomain
import Fluent
import Foundation

/// Businesses' own signing keys.
package struct FluentBusinessKeyStore: BusinessKeyStore {
    let db: any Database

    package init(db: any Database) {
        self.db = db
    }

    package func insert(_ key: BusinessKey) async throws {
        try await BusinessKeyModel(key).create(on: db)
    }

    package func key(_ kid: String) async throws -> BusinessKey? {
        try await BusinessKeyModel.find(kid, on: db)?.record
    }

    package func keys(of business: UUID) async throws -> [BusinessKey] {
        try await BusinessKeyModel.query(on: db)
            .filter(\.$businessID == business)
            .filter(\.$revokedAt == nil)
            .sort(\.$createdAt)
            .all()
            .compactMap(\.record)
    }

    package func revokeKey(_ kid: String, of business: UUID, at date: Date) async throws -> Bool {
        guard let model = try await BusinessKeyModel.query(on: db)
            .filter(\.$id == kid).filter(\.$businessID == business).filter(\.$revokedAt == nil).first()
        else { return false }
        model.revokedAt = date
        try await model.update(on: db)
        return true
    }
}
