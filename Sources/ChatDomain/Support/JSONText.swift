/// A small JSON writer for the hot path: the message broadcast is written by hand instead of
/// through `JSONEncoder` (which walks the value through `Encoder` containers for every message).
package struct JSONText {
    package init() {}
    package private(set) var text = "{"
    private var first = true

    package mutating func key(_ name: String) {
        text += first ? "\"" : ",\""
        first = false
        text += name
        text += "\":"
    }

    package mutating func field(_ name: String, _ value: String?) {
        key(name)
        guard let value else {
            text += "null"
            return
        }
        Self.quote(value, into: &text)
    }

    package mutating func field(_ name: String, _ value: Int) {
        key(name)
        text += String(value)
    }

    package mutating func field(_ name: String, _ value: Bool) {
        key(name)
        text += value ? "true" : "false"
    }

    /// A value that is JSON already.
    package mutating func field(_ name: String, raw: String) {
        key(name)
        text += raw
    }

    package func finished() -> String { text + "}" }

    /// Appends `value` as a JSON string: quotes, backslashes and control characters escaped.
    package static func quote(_ value: String, into out: inout String) {
        out += "\""
        var needsEscaping = false
        for byte in value.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            needsEscaping = true
            break
        }
        guard needsEscaping else {
            out += value
            out += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
