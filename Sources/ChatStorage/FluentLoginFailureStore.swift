import ChatDomain
import Fluent
import Foundation
import SQLKit

/// Failed logins, shared by every node.
package struct FluentLoginFailureStore: LoginFailureStore {
    let db: any Database

    package init(db: any Database) {
        self.db = db
    }

    package func failures(keys: [String], since: Date) async throws -> [String: [Date]] {
        guard !keys.isEmpty else { return [:] }
        let rows = try await db.sql().raw("""
            SELECT key, failed_at FROM login_failures WHERE key IN (\(binds: keys)) AND failed_at > \(bind: since)
            """).all()
        var found: [String: [Date]] = [:]
        for row in rows {
            found[try row.decode(column: "key", as: String.self), default: []].append(try row.decode(column: "failed_at", as: Date.self))
        }
        return found
    }

    package func recordFailure(keys: [String], at date: Date, forgettingBefore: Date) async throws {
        guard !keys.isEmpty else { return }
        let sql = try db.sql()
        try await sql.raw("DELETE FROM login_failures WHERE key IN (\(binds: keys)) AND failed_at <= \(bind: forgettingBefore)").run()
        var insert: SQLQueryString = "INSERT INTO login_failures (id, key, failed_at) VALUES "
        for (index, key) in keys.enumerated() {
            insert += index == 0 ? "" : ", "
            insert += "(\(bind: UUID()), \(bind: key), \(bind: date))"
        }
        try await sql.raw(insert).run()
    }

    package func clearFailures(key: String) async throws {
        try await db.sql().raw("DELETE FROM login_failures WHERE key = \(bind: key)").run()
    }
}
