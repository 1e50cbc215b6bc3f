import Foundation
@testable import ChatDomain

/// `PrivacyStore`: a visitor's sessions, the retention's ended ones, and erasure (every row of
/// the sessions goes; their feed events keep their cursors, their content `{"type":"erased"}`).
extension InMemoryStore: PrivacyStore {
    func sessions(ofVisitor visitor: UUID) async throws -> [ChatSession] {
        reading { $0.sessions.filter { $0.visitorID == visitor } }
            .sorted { ($0.startedAt, $0.id.uuidString) < ($1.startedAt, $1.id.uuidString) }
    }

    func sessionsEnded(of business: UUID, before date: Date, limit: Int) async throws -> [ChatSession] {
        reading { tables in
            Array(tables.sessions.filter { $0.businessID == business && ($0.endedAt.map { $0 < date } ?? false) }.prefix(limit))
        }
    }

    func erase(sessions: [UUID], of business: UUID) async throws {
        guard !sessions.isEmpty else { return }
        let ids = Set(sessions)
        reading { tables in
            tables.searchEntries.removeAll { ids.contains($0.entry.sessionID) }
            let deliveries = Set(tables.deliveries.filter { $0.delivery.sessionID.map(ids.contains) ?? false }.map(\.delivery.id))
            tables.attempts.removeAll { deliveries.contains($0.attempt.deliveryID) }
            tables.deliveries.removeAll { deliveries.contains($0.delivery.id) }
            tables.ratings.removeAll { ids.contains($0.sessionID) }
            tables.readMarkers = tables.readMarkers.filter { !ids.contains($0.key.session) }
            tables.attachments.removeAll { ids.contains($0.sessionID) }
            tables.messages.removeAll { ids.contains($0.wire.sessionID) }
            let marks = sessions.map { "\"session_id\":\"\($0.lowercasedText)\"" }
            for index in tables.feed.indices where tables.feed[index].business == business {
                if marks.contains(where: tables.feed[index].payload.contains) { tables.feed[index].payload = #"{"type":"erased"}"# }
            }
            tables.sessions.removeAll { ids.contains($0.id) }
        }
    }

    /// The visitor, and (the foreign key's cascade) whatever sessions it still has.
    func deleteVisitor(_ id: UUID) async throws {
        reading { tables in
            tables.visitors.removeAll { $0.id == id }
            tables.sessions.removeAll { $0.visitorID == id }
        }
    }
}
