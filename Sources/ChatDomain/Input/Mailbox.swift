import Foundation

/// An email address as RFC 5321 §4.1.2 writes a mailbox, in its common form: a dot-string local
/// part (`atext` runs joined by single dots) `@` a domain of at least two letter-digit-hyphen
/// labels, ASCII only; the local part at most 64 octets, the whole at most 254 (§4.5.3.1).
/// Quoted local parts and address literals are refused: no shop's visitor needs them, and they are
/// where markup such as `"<svg onload=…>"@x` would hide. Stored lower-cased.
package enum Mailbox {
    package static let maxLength = 254
    package static let maxLocalLength = 64

    /// `raw` trimmed and lower-cased, or nil when it is not such an address.
    package static func normalized(_ raw: some StringProtocol) -> String? {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        let bytes = Array(text.utf8)
        guard bytes.count <= maxLength, let at = bytes.lastIndex(of: UInt8(ascii: "@")) else { return nil }
        let local = bytes[..<at]
        let domain = bytes[(at + 1)...]
        guard isDotString(local), local.count <= maxLocalLength, isDomain(domain) else { return nil }
        return text.lowercased()
    }

    /// `raw` as stored, or the contract's 400 naming `field`.
    package static func check(_ raw: String, field: String = "email") throws -> String {
        guard let email = normalized(raw) else { throw ChatError.invalid(field, "Enter a valid email address.") }
        return email
    }

    /// RFC 5322 `atext`: letters, digits and ``!#$%&'*+-/=?^_`{|}~``.
    static func isAtext(_ byte: UInt8) -> Bool {
        WebOrigin.isLetterOrDigit(byte) || "!#$%&'*+-/=?^_`{|}~".utf8.contains(byte)
    }

    static func isDotString(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard !bytes.isEmpty else { return false }
        return bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            .allSatisfy { !$0.isEmpty && $0.allSatisfy(isAtext) }
    }

    static func isDomain(_ bytes: ArraySlice<UInt8>) -> Bool {
        let host = Substring(String(decoding: bytes, as: UTF8.self))
        return host.utf8.count == bytes.count && host.contains(".") && WebOrigin.isDNSName(host)
    }
}
