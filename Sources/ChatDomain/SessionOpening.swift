import Foundation

/// A new session to store with its `session_started` feed event in one transaction of the writer
/// (`EventLog.open`), with the new guest it belongs to when start-session just made one. Starts
/// that arrive together share a commit.
package struct SessionOpening: Sendable {
    package let session: ChatSession
    /// A visitor this start created (a guest): stored first, in the same transaction.
    package let newVisitor: Visitor?
    /// The session's `session_started` event.
    package let draft: FeedDraft

    package init(session: ChatSession, newVisitor: Visitor?, draft: FeedDraft) {
        self.session = session
        self.newVisitor = newVisitor
        self.draft = draft
    }
}

/// What became of a `SessionOpening`.
package enum SessionOpened: Sendable, Equatable {
    /// Stored, its feed event numbered `cursor` and handed out.
    case created(cursor: Int)
    /// The visitor already had an active session (a start at the same moment won): that one, and
    /// nothing was stored.
    case existing(ChatSession)
}
