/// An absolute http or https URL a server will call (a webhook's): printable ASCII only (no space,
/// control character or DEL: a header or a log line could be split on them; anything else is
/// percent-encoded), `scheme://host[:port]` as `WebOrigin` reads it, then an optional path, query
/// and fragment; no user name or password.
package enum WebURL {
    /// `raw` unchanged, or the contract's 400 naming `field`.
    package static func check(_ raw: String, field: String, maxLength: Int) throws -> String {
        guard raw.utf8.count <= maxLength else { throw ChatError.invalid(field, "Ensure this field has no more than \(maxLength) characters.") }
        guard raw.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw ChatError.invalid(field, "A URL must not contain spaces, control characters or characters outside ASCII (percent-encode them).")
        }
        let schemeEnd = raw.range(of: "://")
        let authorityStart = schemeEnd?.upperBound ?? raw.startIndex
        let authorityEnd = raw[authorityStart...].firstIndex { "/?#".contains($0) } ?? raw.endIndex
        if raw[authorityStart..<authorityEnd].contains("@") {
            throw ChatError.invalid(field, "A user name or password in the URL is not allowed.")
        }
        guard schemeEnd != nil, WebOrigin(raw[..<authorityEnd]) != nil else {
            throw ChatError.invalid(field, "Enter an absolute http or https URL.")
        }
        return raw
    }
}
