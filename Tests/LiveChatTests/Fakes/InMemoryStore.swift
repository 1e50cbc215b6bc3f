import Foundation
import Synchronization
@testable import ChatDomain

/// Fakes the storage layer's `FluentChatStore` (every port of the domain's `ChatStore`) with
/// tables in memory, behind one lock: what the real store's SQL and its indexes promise (orders,
/// uniqueness errors, foreign keys, what nil means) and nothing more. Each port is in a file of its
/// own (`InMemoryStore+Directory.swift`, …); `InMemoryEventLog` writes messages, sessions and feed
/// events into the same tables (`InMemoryStore+Writer.swift`), as the real writer does.
final class InMemoryStore: ChatStore, Sendable {
    let tables = Mutex(Tables())

    init() {}

    /// Runs `body` on the tables, under the lock (one transaction: it sees and leaves them whole).
    func withTables<T: Sendable>(_ body: (inout Tables) throws -> T) throws -> T {
        try tables.withLock { (tables: inout Tables) throws -> T in try body(&tables) }
    }

    /// The same, for bodies that cannot throw.
    func reading<T: Sendable>(_ body: (inout Tables) -> T) -> T {
        tables.withLock { (tables: inout Tables) -> T in body(&tables) }
    }

    /// Makes `ping` and `probeWrite` fail (a database that went away), or answer again.
    func setDown(_ down: Bool) {
        reading { $0.isDown = down }
    }

    func ping() async throws {
        if reading(\.isDown) { throw FakeStoreError.databaseDown }
    }

    func probeWrite() async throws {
        if reading(\.isDown) { throw FakeStoreError.databaseDown }
    }
}

/// What the real database refuses, as the fake refuses it.
enum FakeStoreError: Error, Equatable {
    /// A unique index or primary key would hold a value twice (the index's name).
    case uniqueViolation(String)
    /// A row names a row of another table that does not exist (the column).
    case foreignKeyViolation(String)
    /// The opening's visitor has no active session although its insert conflicted.
    case activeSessionMissing(UUID)
    /// `setDown(true)` / `InMemoryEventLog.setFailing(true)`: the database refuses.
    case databaseDown
}

/// The tables, in insertion order (the real store's `ORDER BY` are applied by each read).
struct Tables: Sendable {
    var isDown = false

    var businesses: [Business] = []
    var departments: [Department] = []
    var agents: [Agent] = []
    /// `revoked_tokens`: jti → until when.
    var revokedTokens: [String: Date] = [:]
    var keys: [BusinessKey] = []
    var visitors: [Visitor] = []
    var sessions: [ChatSession] = []
    var messages: [StoredMessage] = []
    var attachments: [Attachment] = []
    var readMarkers: [ReaderKey: Int] = [:]
    var feed: [FeedRow] = []
    var loginFailures: [(key: String, at: Date)] = []
    var presence: [PresenceKey: PresenceRow] = [:]
    var turns: [String: Int] = [:]
    var cannedResponses: [CannedResponse] = []
    var ratings: [Rating] = []
    var searchEntries: [Search.Hit] = []
    /// The last feed row (global id) the search index went through.
    var searchDone = 0
    var webhooks: [WebhookRow] = []
    var deliveries: [DeliveryRow] = []
    var attempts: [AttemptRow] = []

    struct StoredMessage: Sendable {
        var wire: WireMessage
        var attachmentID: UUID?
    }

    struct ReaderKey: Hashable, Sendable {
        let session: UUID
        let reader: UUID
    }

    /// A feed event: `id` numbers every business's events together (commit order), `cursor` each one's.
    struct FeedRow: Sendable {
        let id: Int
        let business: UUID
        let cursor: Int
        let type: String
        var payload: String
        let createdAt: Date
    }

    struct PresenceKey: Hashable, Sendable {
        let agent: UUID
        let node: UUID
    }

    struct PresenceRow: Sendable {
        var business: UUID
        var seenAt: Date
    }

    struct WebhookRow: Sendable {
        var webhook: Webhook
        var position: Int
    }

    struct DeliveryRow: Sendable {
        var delivery: WebhookDelivery
        var state: String
        var attempts: Int
        var nextAttemptAt: Date
        var createdAt: Date
        var finishedAt: Date?
    }

    struct AttemptRow: Sendable {
        let webhookID: UUID
        let attempt: WebhookAttempt
    }

    // MARK: Checks every table shares

    func requireBusiness(_ id: UUID) throws {
        guard businesses.contains(where: { $0.id == id }) else { throw FakeStoreError.foreignKeyViolation("business_id") }
    }

    func requireSession(_ id: UUID) throws {
        guard sessions.contains(where: { $0.id == id }) else { throw FakeStoreError.foreignKeyViolation("session_id") }
    }

    func session(_ id: UUID) -> ChatSession? {
        sessions.first { $0.id == id }
    }

    func latestCursor(of business: UUID) -> Int {
        feed.last { $0.business == business }?.cursor ?? 0
    }

    /// Stores a feed event with the business's next cursor; returns it.
    mutating func insertFeed(business: UUID, type: String, payload: String, at date: Date) -> Int {
        let cursor = latestCursor(of: business) + 1
        feed.append(FeedRow(id: (feed.last?.id ?? 0) + 1, business: business, cursor: cursor, type: type, payload: payload, createdAt: date))
        return cursor
    }
}

/// Oldest first, as `ORDER BY created_at` reads them; rows created at the same moment in the
/// order they were inserted.
func oldestFirst<Row>(_ rows: [Row], by date: (Row) -> Date) -> [Row] {
    rows.enumerated().sorted { (date($0.element), $0.offset) < (date($1.element), $1.offset) }.map(\.element)
}
