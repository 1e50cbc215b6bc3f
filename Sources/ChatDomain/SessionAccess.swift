import Foundation

/// Who may see and act on a session: its visitor, an agent of its business, a platform admin.
/// Another business's session is "not found", never "forbidden".
package struct SessionAccess: Sendable {
    let sessionStore: any SessionStore
    let log: any EventLog

    package func session(_ id: UUID) async throws -> ChatSession {
        guard let session = try await sessionStore.session(id) else { throw ChatError.sessionNotFound }
        return session
    }

    /// The session `id` if `identity` may act on it.
    package func session(_ id: UUID, as identity: Identity) async throws -> ChatSession {
        let session = try await session(id)
        try Self.require(identity, on: session)
        return session
    }

    package static func require(_ identity: Identity, on session: ChatSession) throws {
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

    /// Parses a session id from a path, answering "not found" for anything that is not one.
    package static func sessionID(_ raw: String?) throws -> UUID {
        guard let raw, let id = UUID(text: raw) else { throw ChatError.sessionNotFound }
        return id
    }

    /// Ends a session (the visitor's or an agent's of its business); returns when it ended.
    package func endSession(_ id: UUID, as identity: Identity) async throws -> Date {
        _ = try await session(id, as: identity)
        if let now = try await log.end(session: id) { return now }
        return try await session(id).endedAt ?? WireTime.now()
    }
}
