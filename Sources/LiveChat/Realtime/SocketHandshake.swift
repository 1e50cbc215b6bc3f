import Fluent
import NIOCore
import NIOWebSocket
import Vapor

/// The seed's checks on a chat socket, in the contract's order, decided before the upgrade:
/// no session_id → 4001; malformed, unknown or another business's session → 4002; no or bad
/// token, or a caller who is neither its visitor nor an agent of its business → 4003; ended →
/// the error (or, with `last_seq`, what was missed and `session_ended`) then 4006.
enum SocketHandshake {
    enum Verdict: Sendable {
        case accept(session: UUID, business: UUID, identity: Identity, lastSeq: Int?)
        case close(WebSocketErrorCode, preface: [ByteBuffer])
    }

    static func decide(_ req: Request, token: String?) async throws -> Verdict {
        guard let raw = req.query[String.self, at: "session_id"], !raw.isEmpty else {
            return .close(.missingSession, preface: [])
        }
        guard let id = UUID(uuidString: raw), let session = try await ChatSession.find(id, on: req.db),
              let business = try await Business.find(session.businessID, on: req.db)
        else { return .close(.invalidSession, preface: []) }
        try OriginPolicy.check(req.headers.first(name: .origin), allowed: business.allowedOrigins)

        guard let token, let claims = await req.chat.tokens.verify(token), claims.role != .admin else {
            return .close(.unauthorized, preface: [])
        }
        guard claims.business == session.businessID else { return .close(.invalidSession, preface: []) }
        guard let identity = try? await req.authenticator.identity(for: claims) else { return .close(.unauthorized, preface: []) }
        if case .visitor(let visitor, _) = identity, visitor != session.visitorID {
            return .close(.unauthorized, preface: [])
        }

        let lastSeq = req.query[String.self, at: "last_seq"].flatMap(Int.init).flatMap { $0 >= 0 ? $0 : nil }
        if let endedAt = session.endedAt {
            let allocator = ByteBufferAllocator()
            guard let lastSeq else {
                return .close(.sessionEnded, preface: [JSONFrame.encode(ServerFrame.error(ServerFrame.endedError), allocator: allocator)])
            }
            let missed = try await CatchUp.messages(of: id, after: lastSeq, on: req.db)
            return .close(.sessionEnded, preface: missed.map { JSONFrame.encode(WireMessage($0), allocator: allocator) }
                + [JSONFrame.encode(ServerFrame.sessionEnded(id, at: endedAt), allocator: allocator)])
        }
        return .accept(session: id, business: session.businessID, identity: identity, lastSeq: lastSeq)
    }
}

/// Stored messages a reconnecting client missed.
enum CatchUp {
    static func messages(of session: UUID, after seq: Int, on db: any Database) async throws -> [ChatMessage] {
        try await ChatMessage.query(on: db)
            .filter(\.$sessionID == session)
            .filter(\.$seq > seq)
            .sort(\.$seq)
            .all()
    }
}
