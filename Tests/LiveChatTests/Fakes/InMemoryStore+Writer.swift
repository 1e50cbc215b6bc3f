import Foundation
@testable import ChatDomain

/// What the real writer's `BatchStore` does inside its transactions (`SQLiteMessageStore`), here
/// under the tables' lock: `InMemoryEventLog` calls these, nothing else writes messages, session
/// ends or feed events.
extension InMemoryStore {
    /// Stores a batch as the domain's `BatchPlan` says: repeats of a stored `client_id` (same
    /// session and sender) answered with the stored message, messages of an ended (or unknown)
    /// session refused, the rest numbered on from the session's last message, each with its feed
    /// event; a file message's attachment is linked to it. One outcome per message, in batch order.
    func storeBatch(_ batch: [PendingMessage], at date: Date) -> [BatchPlan.Outcome] {
        reading { tables in
            var known: [PendingMessage.DuplicateKey: WireMessage] = [:]
            for key in BatchPlan.duplicateKeys(of: batch) {
                known[key] = tables.messages.first {
                    $0.wire.sessionID == key.sessionID && $0.wire.senderID == key.senderID && $0.wire.clientID == key.clientID
                }?.wire
            }
            var plan = BatchPlan(batch, known: known)
            var firstSeq: [UUID: Int] = [:]
            for session in plan.sessions where tables.session(session)?.isActive == true {
                firstSeq[session] = tables.lastSeq(of: session) + 1
            }
            let rows = plan.rows(firstSeq: firstSeq, at: date)
            var cursors: [Int] = []
            for row in rows {
                tables.messages.append(Tables.StoredMessage(wire: row.wire, attachmentID: row.attachmentID))
                if let attachment = row.attachmentID,
                   let index = tables.attachments.firstIndex(where: { $0.id == attachment && $0.messageID == nil }) {
                    tables.attachments[index].messageID = row.wire.id
                }
                cursors.append(tables.insertFeed(business: row.message.businessID, type: "message", payload: row.feedPayload, at: date))
            }
            return plan.outcomes(stored: rows, cursors: cursors)
        }
    }

    /// Ends the session if it is active, with its `session_ended` event; nil if it had ended (or never was).
    func endSession(_ id: UUID, at date: Date) throws -> (draft: FeedDraft, cursor: Int)? {
        try withTables { tables in
            guard let index = tables.sessions.firstIndex(where: { $0.id == id && $0.isActive }) else { return nil }
            tables.sessions[index].endedAt = date
            let draft = try FeedDraft.sessionEnded(id, business: tables.sessions[index].businessID, at: date)
            return (draft, tables.insertFeed(business: draft.business, type: draft.type, payload: draft.text, at: date))
        }
    }

    func insertFeed(_ draft: FeedDraft, at date: Date) -> Int {
        reading { $0.insertFeed(business: draft.business, type: draft.type, payload: draft.text, at: date) }
    }

    /// An opening as one savepoint: its new visitor, then its session unless the visitor already
    /// has an active one (`ON CONFLICT DO NOTHING`: that one is returned, the visitor's insert
    /// kept), then its feed event. A failing opening leaves nothing behind.
    func open(_ opening: SessionOpening, at date: Date) throws -> SessionOpened {
        try withTables { tables in
            var savepoint = tables
            if let visitor = opening.newVisitor { try savepoint.insertVisitor(visitor) }
            let session = opening.session
            let conflicts = savepoint.sessions.contains { $0.id == session.id }
                || (session.isActive && savepoint.activeSession(visitor: session.visitorID, business: session.businessID) != nil)
            if conflicts {
                guard let existing = savepoint.activeSession(visitor: session.visitorID, business: session.businessID) else {
                    throw FakeStoreError.activeSessionMissing(session.visitorID)
                }
                tables = savepoint
                return .existing(existing)
            }
            try savepoint.insertSession(session)
            let draft = opening.draft
            let cursor = savepoint.insertFeed(business: draft.business, type: draft.type, payload: draft.text, at: date)
            tables = savepoint
            return .created(cursor: cursor)
        }
    }
}
