import Foundation
import Vapor

extension Request {
    /// The first value of the query parameter `name`, percent-decoded (`+` is a space), or nil.
    /// The sockets' handshakes read their one or two parameters this way: Vapor's `req.query`
    /// runs its form decoder for each lookup, a measured share of a handshake.
    func queryValue(_ name: String) -> String? {
        guard let query = url.query, !query.isEmpty else { return nil }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard Self.decoded(parts[0]) == name else { continue }
            return parts.count > 1 ? Self.decoded(parts[1]) : ""
        }
        return nil
    }

    private static func decoded(_ part: Substring) -> String? {
        guard part.contains("%") || part.contains("+") else { return String(part) }
        return part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
