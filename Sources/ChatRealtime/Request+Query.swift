import ChatDomain
import Vapor

extension Request {
    /// The first value of the query parameter `name`, percent-decoded (`+` is a space), or nil
    /// (`QueryString`). Every endpoint reads its parameters this way, one strict reader for all
    /// (and cheaper than Vapor's `req.query`, which runs its form decoder for each lookup).
    package func queryValue(_ name: String) -> String? {
        guard let query = url.query, !query.isEmpty else { return nil }
        return QueryString.value(of: name, in: query)
    }

    /// A free-text query parameter: at most `maxLength` characters (and 4 bytes each), no NUL
    /// (neither store keeps one); the contract's 400 naming it otherwise.
    package func queryText(_ name: String, maxLength: Int) throws -> String? {
        guard let value = queryValue(name) else { return nil }
        guard value.count <= maxLength, value.utf8.count <= maxLength * 4 else {
            throw ChatError.invalid(name, "Ensure this field has no more than \(maxLength) characters.")
        }
        guard !value.utf8.contains(0) else { throw ChatError.invalid(name, "Must not contain the NUL character (U+0000).") }
        return value
    }
}
