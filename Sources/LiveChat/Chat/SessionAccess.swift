import Fluent
import Foundation

/// Who may see and act on a session: its visitor, an agent of its business, a platform admin.
/// Another business's session is "not found", never "forbidden".
enum SessionAccess {
    static func load(_ id: UUID, on db: any Database) async throws -> ChatSession {
        guard let session = try await ChatSession.find(id, on: db) else { throw ChatError.sessionNotFound }
        return session
    }

    static func require(_ identity: Identity, on session: ChatSession) throws {
        switch identity {
        case .admin:
            return
        case .agent(_, let business):
            guard business == session.businessID else { throw ChatError.sessionNotFound }
        case .visitor(let id, let business):
            guard business == session.businessID else { throw ChatError.sessionNotFound }
            guard id == session.visitorID else { throw ChatError.forbidden }
        }
    }

    /// Parses a session id from a path, answering 404 for anything that is not one.
    static func id(_ raw: String?) throws -> UUID {
        guard let raw, let id = UUID(uuidString: raw) else { throw ChatError.sessionNotFound }
        return id
    }
}
