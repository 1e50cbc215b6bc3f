import ChatDomain
import ChatRealtime
import Vapor

/// `GET /chat/search/?q=&limit=&cursor=`: an agent's business's messages matching every word,
/// newest first. Each result's `snippet` is HTML: the message's text around the match, escaped,
/// the matching words in `<mark>`.
package struct SearchController: RouteCollection {
    struct Result: Encodable, Sendable {
        let session_id: String
        let message_id: String
        let snippet: String
        let sender_type: String
        let `private`: Bool
        let timestamp: String
    }

    struct Page: Encodable, Sendable {
        let message: String
        let data: [Result]
        let next_cursor: String?

        func encode(to encoder: any Encoder) throws {
            enum Keys: String, CodingKey { case message, data, next_cursor }
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(message, forKey: .message)
            try c.encode(data, forKey: .data)
            try c.encode(next_cursor, forKey: .next_cursor)
        }
    }

    package init() {}

    package func boot(routes: any RoutesBuilder) throws {
        routes.get("chat", "search", use: search)
    }

    @Sendable
    func search(req: Request) async throws -> Response {
        let business = try await req.readableBusiness()
        let limit = try req.pageLimit(default: Search.defaultLimit, max: Search.maxLimit)
        var before: Int?
        if let raw = req.queryValue("cursor"), !raw.isEmpty {
            guard let parsed = ASCIIDigits.number(raw), parsed > 0 else { throw ChatError.invalid("cursor", "Not a cursor this server handed out.") }
            before = parsed
        }
        let page = try await req.chat.search.search(in: business, query: req.queryValue("q"), limit: limit, before: before)
        let results = page.results.map { hit, snippet in
            Result(session_id: hit.entry.sessionID.lowercasedText, message_id: hit.entry.messageID.lowercasedText,
                   snippet: Self.html(snippet), sender_type: hit.entry.senderType, private: hit.entry.isPrivate,
                   timestamp: WireTime.iso(hit.entry.createdAt))
        }
        let response = Response(status: .ok)
        try response.content.encode(Page(message: "Search results fetched successfully", data: results,
                                         next_cursor: page.next.map(String.init)), as: .json)
        return response
    }

    static func html(_ snippet: Search.Snippet) -> String {
        var out = snippet.cutBefore ? "…" : ""
        for part in snippet.parts {
            out += part.isMatch ? "<mark>\(escape(part.text))</mark>" : escape(part.text)
        }
        return snippet.cutAfter ? out + "…" : out
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
