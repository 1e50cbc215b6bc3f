import ChatDomain
import Fluent
import Foundation
import SQLKit

/// A business's canned responses.
package struct FluentCannedResponseStore: CannedResponseStore {
    let db: any Database

    package init(db: any Database) {
        self.db = db
    }

    package func insert(_ response: CannedResponse) async throws {
        try await CannedResponseModel(response).create(on: db)
    }

    package func cannedResponse(_ id: UUID) async throws -> CannedResponse? {
        try await CannedResponseModel.find(id, on: db)?.record
    }

    package func update(_ response: CannedResponse) async throws {
        try await CannedResponseModel.query(on: db).filter(\.$id == response.id)
            .set(\.$shortcut, to: response.shortcut).set(\.$content, to: response.content).update()
    }

    package func deleteCannedResponse(_ id: UUID) async throws {
        try await CannedResponseModel.query(on: db).filter(\.$id == id).delete()
    }

    /// Matched in SQL with `LOWER(…) LIKE`, the pattern's own `%`, `_` and `\` escaped.
    package func cannedResponses(of business: UUID, matching: String?) async throws -> [CannedResponse] {
        var query: SQLQueryString = "SELECT id, business_id, shortcut, content, created_at FROM canned_responses WHERE business_id = \(bind: business)"
        if let matching {
            let escaped = matching.lowercased().replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
            query += " AND (shortcut LIKE \(bind: escaped + "%") ESCAPE '\\' OR LOWER(content) LIKE \(bind: "%" + escaped + "%") ESCAPE '\\')"
        }
        query += " ORDER BY shortcut"
        return try await db.sql().raw(query).all().map { row in
            CannedResponse(id: try row.decode(column: "id", as: UUID.self), businessID: try row.decode(column: "business_id", as: UUID.self),
                           shortcut: try row.decode(column: "shortcut", as: String.self),
                           content: try row.decode(column: "content", as: String.self),
                           createdAt: try row.decode(column: "created_at", as: Date.self))
        }
    }

    package func cannedResponse(business: UUID, shortcut: String) async throws -> CannedResponse? {
        try await CannedResponseModel.query(on: db).filter(\.$businessID == business).filter(\.$shortcut == shortcut).first()?.record
    }
}
