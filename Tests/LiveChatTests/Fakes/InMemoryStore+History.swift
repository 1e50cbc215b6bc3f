import Foundation
@testable import ChatDomain

/// `HistoryStore`: the messages `InMemoryEventLog` stored, attachments (a stored name once) and
/// read markers (one per session and reader, only moved forward).
extension InMemoryStore: HistoryStore {
    func message(_ id: UUID) async throws -> WireMessage? {
        reading { $0.messages.first { $0.wire.id == id }?.wire }
    }

    func lastSeq(of session: UUID) async throws -> Int {
        reading { $0.lastSeq(of: session) }
    }

    func messages(of session: UUID, after seq: Int, limit: Int?, includingPrivate: Bool) async throws -> [WireMessage] {
        let found = reading { tables in
            tables.messages.map(\.wire).filter { $0.sessionID == session && $0.seq > seq && (includingPrivate || !$0.isPrivate) }
        }
        let sorted = found.sorted { $0.seq < $1.seq }
        return limit.map { Array(sorted.prefix($0)) } ?? sorted
    }

    /// Uploaded after `since` and up to `until`, oldest first.
    func attachments(of session: UUID, since: Date?, until: Date?) async throws -> [Attachment] {
        let found = reading { tables in
            tables.attachments.filter { attachment in
                attachment.sessionID == session && since.map { attachment.createdAt > $0 } ?? true
                    && until.map { attachment.createdAt <= $0 } ?? true
            }
        }
        return oldestFirst(found, by: \.createdAt)
    }

    func insert(_ attachment: Attachment) async throws {
        try withTables { tables in
            guard !tables.attachments.contains(where: { $0.id == attachment.id }) else { throw FakeStoreError.uniqueViolation("attachments.id") }
            guard !tables.attachments.contains(where: { $0.storedName == attachment.storedName }) else {
                throw FakeStoreError.uniqueViolation("attachments.stored_name")
            }
            try tables.requireSession(attachment.sessionID)
            tables.attachments.append(attachment)
        }
    }

    func attachmentUsage(of session: UUID) async throws -> (count: Int, bytes: Int) {
        reading { tables in
            let files = tables.attachments.filter { $0.sessionID == session }
            return (files.count, files.reduce(0) { $0 + $1.size })
        }
    }

    func attachment(storedName: String) async throws -> Attachment? {
        reading { $0.attachments.first { $0.storedName == storedName } }
    }

    func advanceReadMarker(session: UUID, reader: UUID, to seq: Int) async throws -> Bool {
        reading { tables in
            let key = Tables.ReaderKey(session: session, reader: reader)
            if let current = tables.readMarkers[key], current >= seq { return false }
            tables.readMarkers[key] = seq
            return true
        }
    }
}

extension Tables {
    /// The number of a session's last message, 0 when it has none.
    func lastSeq(of session: UUID) -> Int {
        messages.lazy.filter { $0.wire.sessionID == session }.map(\.wire.seq).max() ?? 0
    }
}
