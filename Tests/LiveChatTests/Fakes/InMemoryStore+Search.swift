import Foundation
@testable import ChatDomain

/// `SearchStore`: an index filled from the feeds in commit order, each query word the prefix of
/// a word of the message (folded as `Search.words`), newest first.
extension InMemoryStore: SearchStore {
    private struct FeedMessage: Decodable {
        let message: WireMessage
    }

    func search(business: UUID, words: [String], before: Int?, limit: Int) async throws -> [Search.Hit] {
        reading { tables in
            tables.searchEntries.filter { hit in
                guard hit.entry.businessID == business, before.map({ hit.position < $0 }) ?? true else { return false }
                let indexed = Search.words(of: hit.entry.content)
                return words.allSatisfy { word in indexed.contains { $0.hasPrefix(word) } }
            }
        }.sorted { $0.position > $1.position }.prefix(limit).map { $0 }
    }

    /// Goes through up to `limit` feed events past the last round; how many it went through.
    func indexPending(limit: Int) async throws -> Int {
        reading { tables in
            let pending = tables.feed.filter { $0.id > tables.searchDone }.prefix(limit)
            guard let last = pending.last else { return 0 }
            for row in pending where row.type == "message" {
                guard let message = try? JSONDecoder().decode(FeedMessage.self, from: Data(row.payload.utf8)).message,
                      let entry = Search.Entry(message, business: row.business),
                      !tables.searchEntries.contains(where: { $0.entry.messageID == entry.messageID }) else { continue }
                tables.searchEntries.append(Search.Hit(entry: entry, position: (tables.searchEntries.last?.position ?? 0) + 1))
            }
            tables.searchDone = last.id
            return pending.count
        }
    }
}
