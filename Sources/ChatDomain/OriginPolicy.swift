/// A business's list of allowed page origins (`WebOrigin`s); empty allows every origin.
package enum OriginPolicy {
    package static let maxOrigins = 50

    /// Whether a page whose `Origin` header is `origin` may open chats; a header that is not a
    /// browser's origin (`null`, a path, bytes no browser sends) matches no entry.
    package static func allows(_ origin: String?, allowed: [String]) -> Bool {
        guard !allowed.isEmpty, let origin else { return true }
        guard let page = WebOrigin(origin) else { return false }
        // Entries are stored as `validate` writes them, so the text matches; one stored before
        // that (`https://Shop.example/`) is read again only when it does not.
        let wanted = page.description
        return allowed.contains { $0 == wanted || WebOrigin($0, allowingTrailingSlash: true) == page }
    }

    package static func check(_ origin: String?, allowed: [String]) throws {
        guard allows(origin, allowed: allowed) else { throw ChatError.originNotAllowed }
    }

    /// The allowlist as stored: each entry a `WebOrigin` (`https://shop.example/` taken as
    /// `https://shop.example`, a default port dropped), duplicates once; the contract's 400 naming
    /// `field` for an entry that is not an origin.
    package static func validate(_ origins: [String], field: String) throws -> [String] {
        guard origins.count <= maxOrigins else { throw ChatError.invalid(field, "At most \(maxOrigins) origins.") }
        var out: [String] = []
        for raw in origins {
            guard let origin = WebOrigin(raw, allowingTrailingSlash: true) else {
                throw ChatError.invalid(field, "\"\(raw.prefix(80))\" is not an origin: write scheme://host[:port], "
                                        + "such as https://shop.example (no path, query, fragment, user or wildcard).")
            }
            if !out.contains(origin.description) { out.append(origin.description) }
        }
        return out
    }
}
