import Foundation

/// What the rules read and write outside the message writer, one port per feature (`Stores`),
/// each implemented by a store of its own in the storage layer (on SQLite or PostgreSQL). Inserts
/// that break a uniqueness rule throw; the rules then look again to tell a lost race from a failure.
/// `ChatStore` is every port at once (an in-memory fake provides them all).
package protocol ChatStore: DirectoryStore, BusinessKeyStore, VisitorStore, SessionStore, HistoryStore, FeedStore, LoginFailureStore,
    PresenceStore, CannedResponseStore, RatingStore, ReportStore, SearchStore, WebhookStore, PrivacyStore, HealthStore {}

/// Whether the database answers (for `/health`).
package protocol HealthStore: Sendable {
    /// Answers when the database does.
    func ping() async throws
    /// Answers when the database takes a write (a statement that changes nothing).
    func probeWrite() async throws
}

/// Businesses, departments and agents.
package protocol DirectoryStore: Sendable {
    func insert(_ business: Business) async throws
    func business(_ id: UUID) async throws -> Business?
    func business(named name: String) async throws -> Business?
    /// Every business, oldest first.
    func businesses() async throws -> [Business]
    func insert(_ department: Department) async throws
    func department(_ id: UUID) async throws -> Department?
    /// A business's departments, oldest first.
    func departments(of business: UUID) async throws -> [Department]
    /// Throws when the id or the email is taken.
    func insert(_ agent: Agent) async throws
    func agent(_ id: UUID) async throws -> Agent?
    func agent(email: String) async throws -> Agent?
    /// A business's agents, oldest first.
    func agents(of business: UUID) async throws -> [Agent]
    func setActive(agent: UUID, _ active: Bool) async throws
    func setAdmin(agent: UUID, _ isAdmin: Bool) async throws
    /// Writes a business's settings; this node reads them back at once, the others within seconds.
    func update(_ business: Business) async throws
    /// Refuses the token `tokenID` until `expiresAt` (it is forgotten then).
    func revokeToken(_ tokenID: String, until expiresAt: Date) async throws
    /// Whether any of `tokenIDs` (token ids, or `visitor:<id>` for every token of an erased visitor) is refused.
    func isRevoked(anyOf tokenIDs: [String]) async throws -> Bool
}

/// What erasure and export read and remove.
package protocol PrivacyStore: Sendable {
    /// Every session of a visitor, oldest first.
    func sessions(ofVisitor visitor: UUID) async throws -> [ChatSession]
    /// Up to `limit` sessions of `business` that ended before `date`.
    func sessionsEnded(of business: UUID, before date: Date, limit: Int) async throws -> [ChatSession]
    /// Removes the sessions of `business` and all that is theirs in the database: messages,
    /// attachments' rows, ratings, read markers, search entries, webhook deliveries not yet made;
    /// their feed events keep their numbers, their content replaced by `{"type":"erased"}`.
    func erase(sessions: [UUID], of business: UUID) async throws
    func deleteVisitor(_ id: UUID) async throws
}

/// The search index of the businesses' messages.
package protocol SearchStore: Sendable {
    /// The entries of `business` whose words start with each of `words` (folded as
    /// `Search.words`), newest first, below position `before`.
    func search(business: UUID, words: [String], before: Int?, limit: Int) async throws -> [Search.Hit]
    /// Indexes up to about `limit` messages stored since the last call (by any node); how many
    /// feed events it went through (0: the index is up to date).
    func indexPending(limit: Int) async throws -> Int
}

/// What a business's report is made of, for `from` ..< `until`.
package protocol ReportStore: Sendable {
    func reportRows(of business: UUID, from: Date, until: Date) async throws -> Reports.Rows
}

/// Ratings of ended sessions, one per session.
package protocol RatingStore: Sendable {
    /// Throws when the session has a rating already.
    func insert(_ rating: Rating) async throws
    func rating(of session: UUID) async throws -> Rating?
}

/// A business's canned responses.
package protocol CannedResponseStore: Sendable {
    /// Throws when the business already has one with this shortcut.
    func insert(_ response: CannedResponse) async throws
    func cannedResponse(_ id: UUID) async throws -> CannedResponse?
    /// Throws when another of the business's has this shortcut.
    func update(_ response: CannedResponse) async throws
    func deleteCannedResponse(_ id: UUID) async throws
    /// A business's canned responses by shortcut; with `matching`, those whose shortcut starts with
    /// it or whose content contains it (case-insensitive).
    func cannedResponses(of business: UUID, matching: String?) async throws -> [CannedResponse]
    func cannedResponse(business: UUID, shortcut: String) async throws -> CannedResponse?
}

/// Businesses' own signing keys.
package protocol BusinessKeyStore: Sendable {
    func insert(_ key: BusinessKey) async throws
    /// The key `kid`, revoked or not; nil when there is none.
    func key(_ kid: String) async throws -> BusinessKey?
    /// A business's keys in force, oldest first.
    func keys(of business: UUID) async throws -> [BusinessKey]
    /// Revokes a key in force of `business`; false when there is none.
    func revokeKey(_ kid: String, of business: UUID, at date: Date) async throws -> Bool
}

/// Visitors: guests and proven customers (stored by the writer with their first session).
package protocol VisitorStore: Sendable {
    /// A returning visitor's pre-chat answers (both written as given).
    func updateProfile(of visitor: UUID, name: String?, email: String?) async throws
    func visitor(_ id: UUID) async throws -> Visitor?
    func visitor(business: UUID, externalCustomerID: String) async throws -> Visitor?
}

/// Sessions, their assignment and the inbox.
package protocol SessionStore: Sendable {
    func session(_ id: UUID) async throws -> ChatSession?
    func activeSession(visitor: UUID, business: UUID) async throws -> ChatSession?
    /// Sets the agent of an active session, in one statement, if its current agent is one of
    /// `allowedCurrent` (nil in the set: unassigned); `allowedCurrent == nil` allows any. True if set.
    func assign(session: UUID, to agent: UUID, ifCurrentIn allowedCurrent: Set<UUID?>?) async throws -> Bool
    /// Moves an active session to a department, unassigned. True if it was active.
    func transfer(session: UUID, to department: UUID) async throws -> Bool
    /// A page of a business's sessions, newest first (`limit` of them).
    func sessions(matching query: InboxQuery, limit: Int) async throws -> [ChatSession]
    /// What the inbox shows of each session besides the session itself, as `reader` sees it.
    func overviews(of sessions: [ChatSession], reader: UUID?) async throws -> [SessionOverview]
}

/// Stored messages, attachments and read markers.
package protocol HistoryStore: Sendable {
    func message(_ id: UUID) async throws -> WireMessage?
    /// The number of a session's last message, 0 when it has none.
    func lastSeq(of session: UUID) async throws -> Int
    /// A session's messages after `seq`, in order, at most `limit` (nil: all).
    /// Without `includingPrivate`, no private note (a visitor's view); the numbers of the others stay as stored.
    func messages(of session: UUID, after seq: Int, limit: Int?, includingPrivate: Bool) async throws -> [WireMessage]
    /// A session's attachments uploaded after `since` and up to `until` (each when given), oldest first.
    func attachments(of session: UUID, since: Date?, until: Date?) async throws -> [Attachment]
    func insert(_ attachment: Attachment) async throws
    /// How many files a session holds, and their bytes.
    func attachmentUsage(of session: UUID) async throws -> (count: Int, bytes: Int)
    func attachment(storedName: String) async throws -> Attachment?
    /// Moves `reader`'s marker in `session` forward to `seq`; false when it was there or further already.
    func advanceReadMarker(session: UUID, reader: UUID, to seq: Int) async throws -> Bool
}

/// The business feed's stored events (written by the message writer).
package protocol FeedStore: Sendable {
    /// The cursor of the business's last event, 0 when it has none (a business's events are
    /// numbered 1, 2, 3 … in commit order).
    func latestCursor(of business: UUID) async throws -> Int
    /// One stored event's JSON object (without its cursor), nil if there is none.
    func feedPayload(of business: UUID, cursor: Int) async throws -> String?
    /// The business's events after `after` up to `upTo`, in cursor order, at most `limit`.
    func feedEvents(of business: UUID, after: Int, upTo: Int, limit: Int) async throws -> [StoredFeedEvent]
}

/// What the inbox shows of a session besides the session itself.
package struct SessionOverview: Sendable {
    package let visitor: Visitor?
    package let department: Department?
    package let assignedAgentName: String?
    package let lastMessage: WireMessage?
    package let unreadCount: Int
    package let rating: Rating?

    package init(visitor: Visitor?, department: Department?, assignedAgentName: String?, lastMessage: WireMessage?,
                 unreadCount: Int, rating: Rating? = nil) {
        self.rating = rating
        self.visitor = visitor
        self.department = department
        self.assignedAgentName = assignedAgentName
        self.lastMessage = lastMessage
        self.unreadCount = unreadCount
    }
}

/// Failed logins, by key (`email:…`, `ip:…`), shared by every node.
package protocol LoginFailureStore: Sendable {
    /// The failures of each key since `since` (keys without any are absent).
    func failures(keys: [String], since: Date) async throws -> [String: [Date]]
    /// Records a failure for each key, and forgets those keys' failures older than `forgettingBefore`.
    func recordFailure(keys: [String], at date: Date, forgettingBefore: Date) async throws
    func clearFailures(key: String) async throws
}

/// Which node holds which online agent (a row per agent and node), and the round-robin turns.
package protocol PresenceStore: Sendable {
    /// Records that `node` holds `agent` online; true when another node held it already (a row
    /// refreshed after `freshAfter`).
    func markOnline(agent: UUID, business: UUID, node: UUID, at date: Date, freshAfter: Date) async throws -> Bool
    /// Removes `node`'s row of `agent`; true when another node still holds it.
    func markOffline(agent: UUID, node: UUID, freshAfter: Date) async throws -> Bool
    /// The agents among `agents` with a row refreshed after `freshAfter`.
    func onlineAgents(among agents: Set<UUID>, freshAfter: Date) async throws -> Set<UUID>
    /// Refreshes `node`'s rows of the agents it holds (recreating any that were swept).
    func refresh(node: UUID, holding agents: [(agent: UUID, business: UUID)], at date: Date) async throws
    /// Removes the rows not refreshed since `staleBefore`; returns the agents left with no row.
    func sweep(staleBefore: Date) async throws -> [(agent: UUID, business: UUID)]
    /// The next turn of a round-robin pool (0, 1, 2, … across every node).
    func nextTurn(pool: String) async throws -> Int
}
