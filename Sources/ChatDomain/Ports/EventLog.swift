import Foundation

/// The one writer of messages, session ends and feed events (the storage layer's `MessageWriter`):
/// stores them in order and, once committed, hands each to the `EventSink` in commit order.
package protocol EventLog: Sendable {
    /// Queues a checked message (`MessageFlow`); its sender learns the outcome through the
    /// broadcast or its `origin`. Never blocks: called from socket event loops.
    func append(_ message: PendingMessage)

    /// Ends a session after every message queued before; returns when it ended, nil if it had already.
    func end(session: UUID) async throws -> Date?

    /// Stores a feed event after everything queued before and hands it out; returns its cursor.
    @discardableResult
    func publish(_ draft: FeedDraft) async throws -> Int

    /// Stores a new session (and its new visitor) with its feed event, unless the visitor already
    /// has an active session; hands the event out once committed.
    func open(_ opening: SessionOpening) async throws -> SessionOpened

    /// Returns once everything queued so far is committed and handed out.
    func flush() async

    /// True while the database refuses the writer: its last commit failed (its senders got an
    /// error), and no commit has succeeded since.
    var isFailing: Bool { get }
}

/// Something that became true in the database, handed out after its commit.
package enum CommittedEvent: Sendable {
    /// A chat message stored in its session, with its feed event.
    case message(BatchPlan.Stored)
    /// A session ended (its sockets close with 4006), with its feed event.
    case sessionEnded(session: UUID, business: UUID, at: Date, cursor: Int, feedPayload: Data)
    /// A feed event (and, when it names a session, a signal to that session's sockets).
    case feed(FeedDraft, cursor: Int)
}

/// Where committed events go: the fan-out to every socket of their session or business feed.
/// Called by the writer's thread in commit order; must keep that order and must not block.
package protocol EventSink: Sendable {
    func deliver(_ events: [CommittedEvent])
}
