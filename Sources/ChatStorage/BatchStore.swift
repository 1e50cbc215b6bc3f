import ChatDomain
import Foundation

/// Where the writer stores messages, new sessions, session ends and feed events, running the domain's
/// `BatchPlan` inside its transaction. Called only by the writer's one task, one call at a time.
/// `SQLiteMessageStore` drives SQLite through its C API on a thread of its own; `SQLMessageStore`
/// speaks SQL through Fluent (PostgreSQL), async end to end.
protocol BatchStore: Sendable {
    /// Runs the writer's `body` where this store's calls belong (SQLite: on its own thread).
    func run(_ body: @Sendable () async -> Void) async

    /// Lets a batch gather for `duration` before the writer takes it.
    func gather(for duration: Duration) async

    /// Stores a batch in one transaction; one outcome per message, in batch order.
    func store(_ batch: [PendingMessage]) async throws -> [BatchPlan.Outcome]

    /// Ends the session if it is active, with its `session_ended` feed event; nil if it had ended.
    func end(session: UUID, at date: Date) async throws -> EndedSession?

    /// Stores a feed event; returns its cursor.
    func insertFeed(_ draft: FeedDraft, at date: Date) async throws -> Int

    /// Stores new sessions (each with its new visitor and feed event, or nothing when its visitor
    /// already has an active session); one outcome per opening, in order. One failing opening
    /// fails alone; a failed commit throws.
    func open(_ openings: [SessionOpening], at date: Date) async throws -> [Result<SessionOpened, any Error>]

    /// Releases what the store holds (its connection, the data folder's writer lock); last call.
    func close()
}

/// A session the writer just ended, and its feed event.
struct EndedSession: Sendable {
    let draft: FeedDraft
    let cursor: Int
}
