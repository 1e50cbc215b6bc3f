import Foundation
@testable import ChatDomain

/// `FeedStore`: the business feeds `InMemoryEventLog` numbered (1, 2, 3 … per business).
extension InMemoryStore: FeedStore {
    func latestCursor(of business: UUID) async throws -> Int {
        reading { $0.latestCursor(of: business) }
    }

    func feedPayload(of business: UUID, cursor: Int) async throws -> String? {
        reading { $0.feed.first { $0.business == business && $0.cursor == cursor }?.payload }
    }

    func feedEvents(of business: UUID, after: Int, upTo: Int, limit: Int) async throws -> [StoredFeedEvent] {
        reading { tables in
            tables.feed.filter { $0.business == business && $0.cursor > after && $0.cursor <= upTo }
                .sorted { $0.cursor < $1.cursor }
                .prefix(limit)
                .map { StoredFeedEvent(cursor: $0.cursor, payload: $0.payload) }
        }
    }

    /// Test reading: the business's stored events' types, in cursor order.
    func feedTypes(of business: UUID) -> [String] {
        reading { $0.feed.filter { $0.business == business }.sorted { $0.cursor < $1.cursor }.map(\.type) }
    }
}
