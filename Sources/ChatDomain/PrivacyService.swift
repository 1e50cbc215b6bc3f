import Foundation

/// A visitor's data on request (export), its erasure, and the retention that erases ended
/// sessions by itself (CONTRACT.md, "Privacy: export, erase, retention").
package enum Privacy {
    /// What an export holds: the visitor and each of its sessions, private notes left out.
    package struct Export: Sendable {
        package struct Session: Sendable {
            package let session: ChatSession
            package let messages: [WireMessage]
            package let attachments: [Attachment]
            package let rating: Rating?
        }

        package let visitor: Visitor
        package let sessions: [Session]
    }

    /// Sessions erased per round of the retention sweep.
    package static let sweepBatch = 100
}

package struct PrivacyService: Sendable {
    let directoryStore: any DirectoryStore
    let historyStore: any HistoryStore
    let privacyStore: any PrivacyStore
    let ratingStore: any RatingStore
    let visitorStore: any VisitorStore
    let log: any EventLog
    let files: any AttachmentFiles
    let settings: ChatSettings

    /// The key under which every token of an erased visitor is refused.
    package static func erasedVisitorKey(_ visitor: UUID) -> String {
        "visitor:\(visitor.lowercasedText)"
    }

    /// A business's visitor, by id or by `external_customer_id`.
    package func visitor(_ id: UUID?, externalCustomerID: String?, in business: UUID) async throws -> Visitor {
        var found: Visitor?
        if let id {
            found = try await visitorStore.visitor(id)
        } else if let externalCustomerID, !externalCustomerID.isEmpty {
            found = try await visitorStore.visitor(business: business, externalCustomerID: externalCustomerID)
        } else {
            throw ChatError.invalid("external_customer_id", "This field is required.")
        }
        guard let found, found.businessID == business else { throw ChatError.visitorNotFound }
        return found
    }

    package func export(_ visitor: Visitor) async throws -> Privacy.Export {
        var sessions: [Privacy.Export.Session] = []
        for session in try await privacyStore.sessions(ofVisitor: visitor.id) {
            sessions.append(.init(
                session: session,
                messages: try await historyStore.messages(of: session.id, after: 0, limit: nil, includingPrivate: false),
                attachments: try await historyStore.attachments(of: session.id, since: nil, until: nil),
                rating: try await ratingStore.rating(of: session.id)))
        }
        return Privacy.Export(visitor: visitor, sessions: sessions)
    }

    /// Erases `visitor`: its tokens are refused from now on, its active session is ended (its
    /// sockets, on every node, close with 4006), then its sessions, their files and the visitor go.
    package func erase(_ visitor: Visitor) async throws {
        try await directoryStore.revokeToken(Self.erasedVisitorKey(visitor.id), until: WireTime.now().addingTimeInterval(settings.visitorTokenLifetime + 60))
        let sessions = try await privacyStore.sessions(ofVisitor: visitor.id)
        for session in sessions where session.isActive {
            _ = try await log.end(session: session.id)
        }
        try await erase(sessions, of: visitor.businessID)
        try await privacyStore.deleteVisitor(visitor.id)
    }

    /// Files first (a file whose row is gone could never be found again), then the rows.
    private func erase(_ sessions: [ChatSession], of business: UUID) async throws {
        guard !sessions.isEmpty else { return }
        for session in sessions {
            for attachment in try await historyStore.attachments(of: session.id, since: nil, until: nil) {
                await files.remove(storedName: attachment.storedName)
            }
        }
        try await privacyStore.erase(sessions: sessions.map(\.id), of: business)
    }

    /// One round of retention: for each business that keeps ended sessions `retention_days`,
    /// erases those that ended before; how many it erased.
    package func sweepRetention(now: Date = WireTime.now()) async throws -> Int {
        var erased = 0
        for business in try await directoryStore.businesses() {
            guard let days = business.retentionDays else { continue }
            let cutoff = now.addingTimeInterval(-Double(days) * 86_400)
            while true {
                let old = try await privacyStore.sessionsEnded(of: business.id, before: cutoff, limit: Privacy.sweepBatch)
                try await erase(old, of: business.id)
                erased += old.count
                if old.count < Privacy.sweepBatch { break }
            }
        }
        return erased
    }
}

/// Runs the retention sweep every `interval` (hourly by default: "at least daily").
package struct RetentionSweep: Sendable {
    private let chat: Chat
    private let interval: Duration
    private let loop: BackgroundLoop

    package init(chat: Chat, interval: Duration = .seconds(3600), failed: @escaping @Sendable (any Error) -> Void) {
        self.chat = chat
        self.interval = interval
        loop = BackgroundLoop(failed: failed)
    }

    /// Sweeps until cancelled (the server's shutdown).
    package func run() async {
        await loop.run { [chat, interval] _ in
            _ = try await chat.privacy.sweepRetention()
            return interval
        }
    }
}
