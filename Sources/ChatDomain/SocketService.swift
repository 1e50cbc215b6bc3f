import Foundation

/// The seed's checks on a chat socket, in the contract's order, decided before the upgrade:
/// no session_id → `missingSession`; malformed, unknown or another business's session →
/// `invalidSession`; no or bad token, or a caller who is neither its visitor nor an agent of its
/// business → `unauthorized`; ended → `ended` (with, given `last_seq`, what was missed).
/// The realtime layer turns each refusal into its close code.
package enum SocketAdmission: Sendable {
    /// `claims`: the token's (its expiry and key close the socket when they end).
    case accept(session: ChatSession, identity: Identity, claims: TokenClaims, lastSeq: Int?)
    case missingSession
    case invalidSession
    case unauthorized
    /// The session has ended; `missed` is nil when the client gave no `last_seq`.
    case ended(session: UUID, at: Date, missed: [WireMessage]?)
}

package struct SocketService: Sendable {
    let directoryStore: any DirectoryStore
    let feedStore: any FeedStore
    let historyStore: any HistoryStore
    let sessionStore: any SessionStore
    let access: AccessService

    /// A file message of `author` (`MessageFlow.file`: the file must be one of the same session).
    package func fileMessage(url: String, isAudio: Bool, clientID: String?, by author: MessageFlow.Author) async throws -> PendingMessage {
        try await MessageFlow.file(url: url, isAudio: isAudio, clientID: clientID, by: author, in: historyStore)
    }

    /// Throws `originNotAllowed` (answered before the upgrade) for a page the business does not allow.
    package func admitChatSocket(sessionID raw: String?, token: String?, origin: String?, lastSeq rawSeq: String?) async throws -> SocketAdmission {
        guard let raw, !raw.isEmpty else { return .missingSession }
        guard let id = UUID(text: raw), let session = try await sessionStore.session(id),
              let business = try await directoryStore.business(session.businessID)
        else { return .invalidSession }
        try OriginPolicy.check(origin, allowed: business.allowedOrigins)

        guard let token, let claims = await access.claims(of: token), claims.role != .admin else {
            return .unauthorized
        }
        guard claims.business == session.businessID else { return .invalidSession }
        guard let identity = try? await access.identity(for: claims, ofExistingSession: true) else { return .unauthorized }
        if case .visitor(let visitor, _) = identity, visitor != session.visitorID { return .unauthorized }

        let lastSeq = rawSeq.flatMap(ASCIIDigits.number)
        if let endedAt = session.endedAt {
            var missed: [WireMessage]?
            if let lastSeq { missed = try await historyStore.messages(of: id, after: lastSeq, limit: nil, includingPrivate: !identity.isVisitor) }
            return .ended(session: id, at: endedAt, missed: missed)
        }
        return .accept(session: session, identity: identity, claims: claims, lastSeq: lastSeq)
    }

    /// The agent of a feed socket's token, or nil (the socket is then refused with 4003).
    package func admitFeedSocket(token: String?) async -> (agent: UUID, business: UUID, claims: TokenClaims)? {
        guard let token, let claims = await access.claims(of: token),
              case .agent(let agent, let business)? = try? await access.identity(for: claims) else { return nil }
        return (agent, business, claims)
    }

    /// An accepted chat socket's catch-up: what it missed after `lastSeq` (when given), in order,
    /// when the session ended if it ended meanwhile, and (when `latest`) the session's last message
    /// number now, from which a socket fed by several nodes tells a gap.
    package func catchUp(of session: UUID, after lastSeq: Int?, latest: Bool = false)
        async throws -> (missed: [WireMessage], endedAt: Date?, latest: Int?) {
        var missed: [WireMessage] = []
        if let lastSeq { missed = try await historyStore.messages(of: session, after: lastSeq, limit: nil, includingPrivate: true) }
        let last = latest ? try await historyStore.lastSeq(of: session) : nil
        return (missed, try await sessionStore.session(session)?.endedAt, last)
    }
}

/// The agent feed's catch-up: the current cursor and, from a cursor the client last saw, what it missed.
extension SocketService {
    package static let maxFeedReplay = 5000

    package struct FeedReplay: Sendable {
        package let latest: Int
        package let missed: [StoredFeedEvent]
        /// More were missed than `maxFeedReplay`: the client should reload the inbox.
        package let truncated: Bool
    }

    package func feedReplay(of business: UUID, after: Int?) async throws -> FeedReplay {
        let latest = try await feedStore.latestCursor(of: business)
        guard let after, after < latest else { return FeedReplay(latest: latest, missed: [], truncated: false) }
        let missed = try await feedStore.feedEvents(of: business, after: after, upTo: latest, limit: Self.maxFeedReplay)
        return FeedReplay(latest: latest, missed: missed, truncated: missed.count == Self.maxFeedReplay)
    }
}
