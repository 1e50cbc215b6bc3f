import ChatDomain
import Fluent
import Foundation
import SQLKit

/// Businesses, departments and agents over Fluent (SQLite or PostgreSQL), and the database's
/// health. The other ports have a store each (`FluentSessionStore`, `FluentHistoryStore`, …;
/// `FluentStores.make` gathers them).
package struct FluentDirectoryStore: DirectoryStore, HealthStore {
    let db: any Database
    /// Another node's change to a business's settings is seen within this.
    private let businesses = KnownRecords<Business>(maxAge: .seconds(5))
    private let departments = KnownRecords<Department>()

    package init(db: any Database) {
        self.db = db
    }

    package func ping() async throws {
        _ = try await db.sql().raw("SELECT 1 AS ok").all()
    }

    package func probeWrite() async throws {
        try await db.sql().raw("UPDATE businesses SET name = name WHERE id IS NULL").run()
    }

    // MARK: Directory

    package func insert(_ business: Business) async throws {
        try await BusinessModel(business).create(on: db)
    }

    package func business(_ id: UUID) async throws -> Business? {
        try await businesses.record(id) { try await BusinessModel.find(id, on: db)?.record }
    }

    /// Writes the settings of `business` (its name, widget texts, pre-chat form, origins,
    /// assignment and retention).
    package func update(_ business: Business) async throws {
        try await db.sql().raw("""
            UPDATE businesses SET name = \(bind: business.name), greeting = \(bind: business.greeting),
                offline_message = \(bind: business.offlineMessage), prechat_name = \(bind: business.prechat.name.rawValue),
                prechat_email = \(bind: business.prechat.email.rawValue), allowed_origins = \(bind: business.allowedOrigins),
                auto_assign = \(bind: business.autoAssign), retention_days = \(bind: business.retentionDays)
            WHERE id = \(bind: business.id)
            """).run()
        businesses.forget(business.id)
    }

    package func business(named name: String) async throws -> Business? {
        try await BusinessModel.query(on: db).filter(\.$name == name).sort(\.$createdAt).first()?.record
    }

    package func businesses() async throws -> [Business] {
        try await BusinessModel.query(on: db).sort(\.$createdAt).all().map(\.record)
    }

    package func insert(_ department: Department) async throws {
        try await DepartmentModel(department).create(on: db)
    }

    package func department(_ id: UUID) async throws -> Department? {
        try await departments.record(id) { try await DepartmentModel.find(id, on: db)?.record }
    }

    package func departments(of business: UUID) async throws -> [Department] {
        try await DepartmentModel.query(on: db).filter(\.$businessID == business).sort(\.$createdAt).all().map(\.record)
    }

    package func insert(_ agent: Agent) async throws {
        try await AgentModel(agent).create(on: db)
    }

    package func agent(_ id: UUID) async throws -> Agent? {
        try await AgentModel.find(id, on: db)?.record
    }

    package func agent(email: String) async throws -> Agent? {
        try await AgentModel.query(on: db).filter(\.$email == email).first()?.record
    }

    package func agents(of business: UUID) async throws -> [Agent] {
        try await AgentModel.query(on: db).filter(\.$businessID == business).sort(\.$createdAt).all().map(\.record)
    }

    package func setActive(agent: UUID, _ active: Bool) async throws {
        try await AgentModel.query(on: db).filter(\.$id == agent).set(\.$active, to: active).update()
    }

    package func setAdmin(agent: UUID, _ isAdmin: Bool) async throws {
        try await AgentModel.query(on: db).filter(\.$id == agent).set(\.$isAdmin, to: isAdmin).update()
    }

    package func revokeToken(_ tokenID: String, until expiresAt: Date) async throws {
        let sql = try db.sql()
        try await sql.raw("DELETE FROM revoked_tokens WHERE expires_at < \(bind: Date())").run()
        try await sql.raw("""
            INSERT INTO revoked_tokens (jti, expires_at) VALUES (\(bind: tokenID), \(bind: expiresAt)) ON CONFLICT (jti) DO NOTHING
            """).run()
    }

    package func isRevoked(anyOf tokenIDs: [String]) async throws -> Bool {
        var query: SQLQueryString = "SELECT 1 AS hit FROM revoked_tokens WHERE jti IN ("
        for (index, id) in tokenIDs.enumerated() { query += index == 0 ? "\(bind: id)" : ", \(bind: id)" }
        query += ")"
        return try await db.sql().raw(query).first() != nil
    }
}
