import Foundation

/// A fast reader for the frames clients send: one JSON object whose values are strings,
/// numbers, booleans or null. Anything else (nesting, odd escapes, trailing bytes) answers nil
/// and the caller falls back to `JSONDecoder`, which also produces the refusal.
package enum FlatJSON {
    package static func object(_ bytes: some Collection<UInt8>) -> [String: JSONValue]? {
        var reader = Reader(bytes: Array(bytes))
        return reader.object()
    }

    /// Whether arrays and objects (outside strings) nest at most `limit` deep. `JSONDecoder` is
    /// only given frames that do: a 64 KiB frame of nested brackets would hold an event loop for
    /// seconds.
    package static func nests(within limit: Int, _ bytes: some Collection<UInt8>) -> Bool {
        var depth = 0, inString = false, escaped = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
                continue
            }
            switch byte {
            case 0x22: inString = true
            case 0x5B, 0x7B:
                depth += 1
                if depth > limit { return false }
            case 0x5D, 0x7D: depth -= 1
            default: break
            }
        }
        return true
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        mutating func object() -> [String: JSONValue]? {
            skipSpace()
            guard take(0x7B) else { return nil }  // {
            var fields: [String: JSONValue] = [:]
            skipSpace()
            if take(0x7D) { return finish(fields) }
            while true {
                skipSpace()
                guard let key = string() else { return nil }
                skipSpace()
                guard take(0x3A), let value = value() else { return nil }  // :
                // A repeated key keeps its first value, as `JSONDecoder` does: a frame reads the
                // same whichever reader takes it (found by the fuzzer).
                if fields[key] == nil { fields[key] = value }
                skipSpace()
                if take(0x2C) { continue }  // ,
                guard take(0x7D) else { return nil }  // }
                return finish(fields)
            }
        }

        private mutating func finish(_ fields: [String: JSONValue]) -> [String: JSONValue]? {
            skipSpace()
            return index == bytes.count ? fields : nil
        }

        private mutating func value() -> JSONValue? {
            skipSpace()
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case 0x22: return string().map(JSONValue.string)
            case 0x74: return word("true") ? .bool(true) : nil
            case 0x66: return word("false") ? .bool(false) : nil
            case 0x6E: return word("null") ? .null : nil
            case 0x2D, 0x30...0x39: return number()
            default: return nil
            }
        }

        private mutating func string() -> String? {
            guard take(0x22) else { return nil }
            let start = index
            // The common case: no escapes.
            while index < bytes.count, bytes[index] != 0x22, bytes[index] != 0x5C, bytes[index] >= 0x20 { index += 1 }
            guard index < bytes.count else { return nil }
            if bytes[index] == 0x22 {
                defer { index += 1 }
                return String(decoding: bytes[start..<index], as: UTF8.self)
            }
            guard bytes[index] == 0x5C else { return nil }  // a control character: let JSONDecoder refuse it
            var scalars = Array(bytes[start..<index])
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case 0x22: return String(decoding: scalars, as: UTF8.self)
                case 0x5C:
                    guard index < bytes.count else { return nil }
                    let escaped = bytes[index]
                    index += 1
                    switch escaped {
                    case 0x22, 0x5C, 0x2F: scalars.append(escaped)
                    case 0x62: scalars.append(0x08)
                    case 0x66: scalars.append(0x0C)
                    case 0x6E: scalars.append(0x0A)
                    case 0x72: scalars.append(0x0D)
                    case 0x74: scalars.append(0x09)
                    case 0x75:
                        guard let scalar = unicodeEscape() else { return nil }
                        scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
                    default: return nil
                    }
                case 0x00..<0x20: return nil
                default: scalars.append(byte)
                }
            }
            return nil
        }

        /// `XXXX` after `\u`, with a following low surrogate when this is a high one.
        private mutating func unicodeEscape() -> Unicode.Scalar? {
            guard let first = hex4() else { return nil }
            if (0xD800..<0xDC00).contains(first) {
                guard take(0x5C), take(0x75), let second = hex4(), (0xDC00..<0xE000).contains(second) else { return nil }
                return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
            }
            return Unicode.Scalar(first)
        }

        private mutating func hex4() -> UInt32? {
            guard index + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for byte in bytes[index..<index + 4] {
                guard let digit = hexDigit(byte) else { return nil }
                value = value << 4 | digit
            }
            index += 4
            return value
        }

        private func hexDigit(_ byte: UInt8) -> UInt32? {
            switch byte {
            case 0x30...0x39: UInt32(byte - 0x30)
            case 0x41...0x46: UInt32(byte - 0x41 + 10)
            case 0x61...0x66: UInt32(byte - 0x61 + 10)
            default: nil
            }
        }

        private mutating func number() -> JSONValue? {
            let start = index
            while index < bytes.count, "+-.eE0123456789".utf8.contains(bytes[index]) { index += 1 }
            return Double(String(decoding: bytes[start..<index], as: UTF8.self)).map(JSONValue.number)
        }

        private mutating func word(_ text: String) -> Bool {
            let expected = Array(text.utf8)
            guard index + expected.count <= bytes.count, Array(bytes[index..<index + expected.count]) == expected else { return false }
            index += expected.count
            return true
        }

        private mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        private mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }
    }
}
