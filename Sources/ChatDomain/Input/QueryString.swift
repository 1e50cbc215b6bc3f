/// A URL's query read as every endpoint reads it: `name=value` pairs joined by `&`, `+` a space,
/// `%XX` decoded (a pair whose escapes are not valid UTF-8 is no pair); the first pair of a name
/// wins. Values are then read by the strict parsers beside this one.
package enum QueryString {
    /// The first value of `name` in `query` (the part after `?`), or nil.
    package static func value(of name: String, in query: String) -> String? {
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let first = parts.first, decoded(first) == name else { continue }
            return parts.count > 1 ? decoded(parts[1]) : ""
        }
        return nil
    }

    /// `+` as a space and `%XX` escapes decoded, the bytes read as UTF-8 as they are (a byte
    /// order mark kept: Foundation's `removingPercentEncoding` drops a leading one); nil for a
    /// broken escape or bytes that are not UTF-8.
    static func decoded(_ part: Substring) -> String? {
        guard part.contains("%") || part.contains("+") else { return String(part) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(part.utf8.count)
        var iterator = part.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(0x20)
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(ASCIIDigits.hexValue), let low = iterator.next().flatMap(ASCIIDigits.hexValue) else { return nil }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
