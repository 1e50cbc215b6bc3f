/// A web page's origin as a browser sends it in `Origin`: `scheme://host[:port]`, http or https,
/// lower-cased; the host a DNS name (ASCII: an international name in its `xn--` form), an IPv4
/// address or a bracketed IPv6 address; the port 1–65535, dropped when it is the scheme's default.
/// No user, path, query, fragment or wildcard: a browser never sends one, so an allowlist entry
/// holding one would refuse every visitor.
package struct WebOrigin: Hashable, Sendable, CustomStringConvertible {
    package let scheme: String
    package let host: String
    /// nil for the scheme's default port.
    package let port: Int?

    package static let maxLength = 300

    /// `text` read strictly (a request's `Origin` header); `allowingTrailingSlash` also takes
    /// `https://shop.example/`, as a merchant pastes it into the settings.
    package init?(_ text: some StringProtocol, allowingTrailingSlash: Bool = false) {
        var bytes = Array(text.utf8)
        guard bytes.count <= Self.maxLength, bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        if allowingTrailingSlash, bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
        let lowered = String(decoding: bytes, as: UTF8.self).lowercased()
        let scheme: String
        let rest: Substring
        if lowered.hasPrefix("https://") {
            scheme = "https"
            rest = lowered.dropFirst(8)
        } else if lowered.hasPrefix("http://") {
            scheme = "http"
            rest = lowered.dropFirst(7)
        } else {
            return nil
        }
        guard let (host, port) = Self.authority(rest) else { return nil }
        self.scheme = scheme
        self.host = host
        self.port = port == (scheme == "https" ? 443 : 80) ? nil : port
    }

    package var description: String {
        port.map { "\(scheme)://\(host):\($0)" } ?? "\(scheme)://\(host)"
    }

    /// `host[:port]` with nothing else, the host checked; nil otherwise.
    private static func authority(_ text: Substring) -> (String, Int?)? {
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[...close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portText = after.dropFirst()
            }
            guard isIPv6Literal(host) else { return nil }
        } else {
            let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            host = parts[0]
            if parts.count == 2 { portText = parts[1] }
            guard isDNSName(host) || isIPv4(host) else { return nil }
        }
        var port: Int?
        if let portText {
            guard let value = ASCIIDigits.number(portText), (1...65_535).contains(value) else { return nil }
            port = value
        }
        return (String(host), port)
    }

    /// Labels of 1–63 letters, digits and hyphens (not at either end), 253 characters in all,
    /// the last label not all digits.
    static func isDNSName(_ host: Substring) -> Bool {
        guard !host.isEmpty, host.utf8.count <= 253 else { return false }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            let bytes = label.utf8
            guard (1...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-"),
                  bytes.allSatisfy({ isLetterOrDigit($0) || $0 == UInt8(ascii: "-") }) else { return false }
        }
        return labels.last.map { !$0.utf8.allSatisfy(isDigit) } ?? false
    }

    /// Four dotted decimal numbers 0–255 (ASCII digits, no leading zeros).
    static func isIPv4(_ host: Substring) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in ASCIIDigits.number(part).map { $0 <= 255 } ?? false }
    }

    /// `[` hex groups and colons (an embedded IPv4 address allowed) `]`, with at most one `::`.
    static func isIPv6Literal(_ text: Substring) -> Bool {
        guard text.count >= 4, text.count <= 47, text.hasPrefix("["), text.hasSuffix("]") else { return false }
        let inner = text.dropFirst().dropLast()
        guard inner.utf8.allSatisfy({ isHex($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }),
              inner.contains(":"), !inner.contains(":::"), inner.components(separatedBy: "::").count <= 2 else { return false }
        var groups = inner.split(separator: ":", omittingEmptySubsequences: true)
        if let last = groups.last, last.contains(".") {
            guard isIPv4(last) else { return false }
            groups.removeLast()
            groups += ["0", "0"]
        }
        let compressed = inner.contains("::")
        guard groups.allSatisfy({ (1...4).contains($0.count) && !$0.contains(".") }) else { return false }
        return compressed ? groups.count <= 7 : groups.count == 8
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    static func isHex(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }
}
