import Foundation

/// A header value with parameters, as `Content-Type` and `Content-Disposition` carry them
/// (RFC 9110 §5.6.6, RFC 7578 §4.2): `value *( OWS ";" OWS name "=" ( token / quoted-string ) )`,
/// quoted strings with their `\` escapes (so `filename="report; final.pdf"` is one parameter),
/// and RFC 2231 / 8187 extended parameters (`filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`, continuations
/// `name*0`, `name*1*`), an extended one taking the place of its plain twin. Names are lower-cased;
/// a name given twice, bytes outside the grammar or text that is not UTF-8 make the whole value
/// malformed (nil), never a guess.
package struct HeaderValue: Sendable, Equatable {
    /// The lower-cased value before the parameters: `multipart/form-data`, `form-data`.
    package let value: String
    package let parameters: [String: String]

    package static let maxLength = 8192
    package static let maxParameters = 32

    package init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count <= Self.maxLength else { return nil }
        var reader = Reader(bytes: bytes)
        reader.skipSpace()
        let value = reader.token(allowingSlash: true)
        guard !value.isEmpty else { return nil }
        var plain: [String: String] = [:]
        var extended: [String: [Int: (text: [UInt8], encoded: Bool)]] = [:]
        var seen = Set<String>()
        reader.skipSpace()
        while !reader.atEnd {
            guard reader.take(UInt8(ascii: ";")) else { return nil }
            reader.skipSpace()
            if reader.atEnd { break }
            if reader.take(UInt8(ascii: ";")) { reader.back(); continue }
            let name = reader.token(allowingSlash: false).lowercased()
            reader.skipSpace()
            guard !name.isEmpty, reader.take(UInt8(ascii: "=")), seen.insert(name).inserted, seen.count <= Self.maxParameters else { return nil }
            reader.skipSpace()
            let raw: [UInt8]
            if reader.peek == UInt8(ascii: "\"") {
                guard let quoted = reader.quotedString() else { return nil }
                raw = quoted
            } else {
                let token = reader.token(allowingSlash: false)
                guard !token.isEmpty else { return nil }
                raw = Array(token.utf8)
            }
            reader.skipSpace()
            if let star = name.firstIndex(of: "*") {
                // name*, name*N or name*N*: an RFC 2231 piece.
                let base = String(name[..<star])
                var index = 0
                var encoded = true
                let tail = name[name.index(after: star)...]
                if !tail.isEmpty {
                    let digits = tail.hasSuffix("*") ? tail.dropLast() : tail
                    encoded = tail.hasSuffix("*")
                    guard let number = ASCIIDigits.number(digits), number < Self.maxParameters else { return nil }
                    index = number
                }
                guard !base.isEmpty, extended[base, default: [:]][index] == nil else { return nil }
                if tail.isEmpty, extended[base] != nil { return nil }
                extended[base, default: [:]][index] = (raw, encoded)
            } else {
                guard let decoded = String(validating: raw, as: UTF8.self) else { return nil }
                plain[name] = decoded
            }
        }
        for (base, pieces) in extended {
            guard let joined = Self.join(pieces) else { return nil }
            plain[base] = joined
        }
        self.value = value.lowercased()
        self.parameters = plain
    }

    package subscript(_ name: String) -> String? { parameters[name] }

    /// `application/json`, with no parameter but `charset=utf-8` (JSON is UTF-8, RFC 8259 §8.1).
    package var isJSON: Bool {
        value == "application/json" && parameters.keys.allSatisfy { $0 == "charset" } && (self["charset"].map { $0.lowercased() == "utf-8" } ?? true)
    }

    /// Pieces 0…n in order (no gap); the first, when encoded, opens with `charset'language'`.
    private static func join(_ pieces: [Int: (text: [UInt8], encoded: Bool)]) -> String? {
        var bytes: [UInt8] = []
        var charset = "utf-8"
        for index in 0..<pieces.count {
            guard let piece = pieces[index] else { return nil }
            var text = piece.text[...]
            if index == 0, piece.encoded {
                let parts = text.split(separator: UInt8(ascii: "'"), maxSplits: 2, omittingEmptySubsequences: false)
                guard parts.count == 3 else { return nil }
                charset = String(decoding: parts[0], as: UTF8.self).lowercased()
                text = parts[2]
            }
            if piece.encoded {
                guard let decoded = percentDecoded(text) else { return nil }
                bytes += decoded
            } else {
                bytes += text
            }
        }
        switch charset {
        case "utf-8", "us-ascii": return String(validating: bytes, as: UTF8.self)
        case "iso-8859-1": return String(bytes.map { Character(Unicode.Scalar($0)) })
        default: return nil
        }
    }

    /// RFC 8187 `value-chars`: `attr-char`s and `%XX`.
    private static func percentDecoded(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            if byte == UInt8(ascii: "%") {
                guard text.endIndex - index >= 3, let high = ASCIIDigits.hexValue(text[index + 1]), let low = ASCIIDigits.hexValue(text[index + 2]) else { return nil }
                out.append(high << 4 | low)
                index += 3
            } else {
                guard WebOrigin.isLetterOrDigit(byte) || "!#$&+-.^_`|~".utf8.contains(byte) else { return nil }
                out.append(byte)
                index += 1
            }
        }
        return out
    }

    /// RFC 9110 `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        WebOrigin.isLetterOrDigit(byte) || "!#$%&'*+-.^_`|~".utf8.contains(byte)
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index >= bytes.count }
        var peek: UInt8? { atEnd ? nil : bytes[index] }

        mutating func skipSpace() {
            while let byte = peek, byte == 0x20 || byte == 0x09 { index += 1 }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard peek == byte else { return false }
            index += 1
            return true
        }

        mutating func back() { index -= 1 }

        /// A run of token bytes (and `/` inside a media type).
        mutating func token(allowingSlash: Bool) -> String {
            let start = index
            while let byte = peek, HeaderValue.isTokenByte(byte) || (allowingSlash && byte == UInt8(ascii: "/")) { index += 1 }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        /// `"…"` with `\x` pairs unescaped; nil when unterminated. Control bytes are taken as they
        /// come: browsers send a file's name with only CR, LF and `"` escaped (WHATWG's form-data
        /// encoding), and the upload's sanitiser removes them from the stored name.
        mutating func quotedString() -> [UInt8]? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            var out: [UInt8] = []
            while let byte = peek {
                index += 1
                switch byte {
                case UInt8(ascii: "\""): return out
                case UInt8(ascii: "\\"):
                    guard let next = peek else { return nil }
                    out.append(next)
                    index += 1
                default: out.append(byte)
                }
            }
            return nil
        }
    }
}
