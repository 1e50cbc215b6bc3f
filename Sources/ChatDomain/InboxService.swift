import Foundation

/// The agent's inbox: a business's sessions, newest first, filtered and paged by cursor.
package struct InboxQuery: Sendable {
    package enum Assigned: Sendable, Equatable {
        case agent(UUID)
        case nobody
        case anybody
    }

    package var business: UUID
    package var active: Bool?
    package var department: UUID?
    package var assigned: Assigned?
    /// Only sessions after this position (the last one of the previous page).
    package var after: InboxCursor?

    package init(business: UUID, active: Bool? = nil, department: UUID? = nil, assigned: Assigned? = nil, after: InboxCursor? = nil) {
        self.business = business
        self.active = active
        self.department = department
        self.assigned = assigned
        self.after = after
    }
}

/// An opaque position in the inbox (newest first): the last session's start time and id.
package struct InboxCursor: Sendable, Equatable {
    package let startedAt: Date
    package let id: UUID

    package init(startedAt: Date, id: UUID) {
        self.startedAt = startedAt
        self.id = id
    }

    package init?(_ text: String) {
        guard let data = Base64URL.decode(Substring(text)), let raw = String(data: data, encoding: .utf8) else { return nil }
        let parts = raw.split(separator: "|")
        guard parts.count == 2, let millis = ASCIIDigits.number(parts[0]),
              millis <= 253_402_300_799_999, let id = UUID(text: String(parts[1])) else { return nil }
        self.startedAt = Date(timeIntervalSince1970: Double(millis) / 1000)
        self.id = id
    }

    package var text: String {
        Base64URL.encode(Data("\(Int64((startedAt.timeIntervalSince1970 * 1000).rounded()))|\(id.uuidString)".utf8))
    }
}

package struct InboxService: Sendable {
    let historyStore: any HistoryStore
    let sessionStore: any SessionStore
    let files: any AttachmentFiles
    let presence: Presence
    let sessionAccess: SessionAccess

    package static let inboxDefaultLimit = 50
    package static let inboxMaxLimit = 200

    /// A page of the inbox as `reader` sees it, and the cursor of the next page (nil on the last).
    package func inbox(_ query: InboxQuery, reader: UUID, limit: Int) async throws -> (page: [SessionSummary], next: InboxCursor?) {
        let sessions = try await sessionStore.sessions(matching: query, limit: limit + 1)
        let page = Array(sessions.prefix(limit))
        let next = sessions.count > limit ? page.last.map { InboxCursor(startedAt: $0.startedAt, id: $0.id) } : nil
        return (try await summaries(of: page, reader: reader), next)
    }

    /// A session's summary as `caller` sees it, read anew (after a change).
    package func summary(of session: UUID, for caller: Identity) async throws -> SessionSummary {
        try await summaries(of: [try await sessionAccess.session(session)], reader: caller.subject)[0]
    }
}
