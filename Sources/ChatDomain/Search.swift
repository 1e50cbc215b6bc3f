import Foundation

/// Full-text search over a business's messages (`GET /chat/search/?q=`). A query's words are
/// folded here (case, accents and width ignored); PostgreSQL's `tsvector` is made of the words of
/// each message folded the same way (`indexText`), SQLite's FTS5 folds case and accents itself
/// (`remove_diacritics 2`). The stores index a message shortly after it is stored, off the
/// writer's path (`SearchStore.indexPending`).
package enum Search {
    package static let defaultLimit = 20
    package static let maxLimit = 100
    package static let maxWords = 10
    package static let maxQueryLength = 500

    /// The folded words of `text`: its runs of letters and digits, lowercase, without accents.
    package static func words(of text: String) -> [String] {
        tokens(of: text).map(\.folded)
    }

    /// What a store indexes for `text`: its folded words, separated by one space.
    package static func indexText(of text: String) -> String {
        words(of: text).joined(separator: " ")
    }

    /// One run of letters and digits of a text, where it is and how it folds.
    struct Token {
        let range: Range<String.Index>
        let folded: String
    }

    static func tokens(of text: String) -> [Token] {
        var tokens: [Token] = []
        var start: String.Index?
        var index = text.startIndex
        while index < text.endIndex {
            let isWord = (text[index].isLetter || text[index].isNumber)
                && !text[index].unicodeScalars.contains { "'\"\\".unicodeScalars.contains($0) || $0.properties.isWhitespace || $0.value < 0x20 }
            if isWord, start == nil { start = index }
            if !isWord, let first = start {
                tokens.append(token(text, first..<index))
                start = nil
            }
            index = text.index(after: index)
        }
        if let first = start { tokens.append(token(text, first..<text.endIndex)) }
        return tokens
    }

    private static func token(_ text: String, _ range: Range<String.Index>) -> Token {
        Token(range: range, folded: String(text[range]).folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive],
                                                                  locale: nil).lowercased())
    }

    /// A query's words: each must start a word of the message (a whole word or its prefix).
    package struct Query: Sendable, Equatable {
        package let words: [String]

        package init(_ text: String?) throws {
            guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw ChatError.invalid("q", "This field is required.")
            }
            guard text.count <= Search.maxQueryLength else {
                throw ChatError.invalid("q", "Ensure this field has no more than \(Search.maxQueryLength) characters.")
            }
            var seen = Set<String>()
            let words = Search.words(of: text).filter { seen.insert($0).inserted }
            guard !words.isEmpty else { throw ChatError.invalid("q", "Must hold at least one word of letters or digits.") }
            guard words.count <= Search.maxWords else { throw ChatError.invalid("q", "Use at most \(Search.maxWords) words.") }
            self.words = words
        }
    }

    /// A message as the index holds it.
    package struct Entry: Sendable, Equatable {
        package let messageID: UUID
        package let sessionID: UUID
        package let businessID: UUID
        package let content: String
        package let senderType: String
        package let isPrivate: Bool
        package let createdAt: Date

        package init(messageID: UUID, sessionID: UUID, businessID: UUID, content: String, senderType: String, isPrivate: Bool, createdAt: Date) {
            self.messageID = messageID
            self.sessionID = sessionID
            self.businessID = businessID
            self.content = content
            self.senderType = senderType
            self.isPrivate = isPrivate
            self.createdAt = createdAt
        }

        /// The entry of a stored message with words in it (a text, a note, a file's name).
        package init?(_ message: WireMessage, business: UUID) {
            guard let text = message.content ?? message.fileName, !Search.words(of: text).isEmpty else { return nil }
            self.init(messageID: message.id, sessionID: message.sessionID, businessID: business, content: text,
                      senderType: message.senderType, isPrivate: message.isPrivate, createdAt: message.createdAt)
        }
    }

    /// A found message and its place in the index (newest first: the next page is below it).
    package struct Hit: Sendable, Equatable {
        package let entry: Entry
        package let position: Int

        package init(entry: Entry, position: Int) {
            self.entry = entry
            self.position = position
        }
    }

    /// The part of a message around its first match, the matching words marked.
    package struct Snippet: Sendable, Equatable {
        package struct Part: Sendable, Equatable {
            package let text: String
            package let isMatch: Bool
        }

        package let parts: [Part]
        /// Text was left out before the first part, or after the last.
        package let cutBefore: Bool
        package let cutAfter: Bool

        /// About `width` characters of `text` around the first word that `query` matches.
        package init(_ text: String, query: Query, width: Int = 160) {
            let tokens = Search.tokens(of: text)
            let matches = tokens.filter { token in query.words.contains { token.folded.hasPrefix($0) } }
            var start = text.startIndex
            if let first = matches.first {
                let lead = text.distance(from: text.startIndex, to: first.range.lowerBound)
                if lead > width / 3 {
                    // Start at the word that begins about a third of the width before the match.
                    let target = text.index(first.range.lowerBound, offsetBy: -(width / 3))
                    start = tokens.first { $0.range.lowerBound >= target }?.range.lowerBound ?? first.range.lowerBound
                }
            }
            let end = text.index(start, offsetBy: width, limitedBy: text.endIndex) ?? text.endIndex
            var parts: [Part] = []
            var cursor = start
            for match in matches where match.range.lowerBound >= start && match.range.upperBound <= end {
                if cursor < match.range.lowerBound { parts.append(Part(text: String(text[cursor..<match.range.lowerBound]), isMatch: false)) }
                parts.append(Part(text: String(text[match.range]), isMatch: true))
                cursor = match.range.upperBound
            }
            if cursor < end { parts.append(Part(text: String(text[cursor..<end]), isMatch: false)) }
            self.parts = parts
            self.cutBefore = start > text.startIndex
            self.cutAfter = end < text.endIndex
        }
    }

    /// A page of results and the cursor of the next one.
    package struct Page: Sendable {
        package let results: [(hit: Hit, snippet: Snippet)]
        package let next: Int?
    }
}

package struct SearchService: Sendable {
    let searchStore: any SearchStore

    /// The messages of `business` matching every word of `query`, newest first, `limit` at most,
    /// below `before` (a cursor this server handed out). Notes are among them: only agents search.
    package func search(in business: UUID, query: String?, limit: Int, before: Int?) async throws -> Search.Page {
        let query = try Search.Query(query)
        let hits = try await searchStore.search(business: business, words: query.words, before: before, limit: limit + 1)
        let page = hits.prefix(limit)
        return Search.Page(results: page.map { ($0, Search.Snippet($0.entry.content, query: query)) },
                           next: hits.count > limit ? page.last?.position : nil)
    }
}
