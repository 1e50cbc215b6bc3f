/// Numbers as a client writes them in a query, a path or a header: ASCII digits only (never
/// another script's digits, which `\d` and `Character.isNumber` accept), no sign, no leading zero,
/// at most 18 digits (so the value never overflows).
package enum ASCIIDigits {
    package static let maxDigits = 18

    /// The value of `text`, or nil when it is not such a number.
    package static func number(_ text: some StringProtocol) -> Int? {
        let bytes = text.utf8
        guard !bytes.isEmpty, bytes.count <= maxDigits else { return nil }
        if bytes.count > 1, bytes.first == UInt8(ascii: "0") { return nil }
        return fixed(bytes)
    }

    /// The value of a fixed-width field such as a date's `MM` (leading zeros allowed), nil when
    /// a byte is not an ASCII digit or there are more than 18.
    package static func fixed(_ bytes: some Collection<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= maxDigits else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// The value of one hex digit (either case), nil for another byte.
    package static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The query parameter `field`'s whole number in `range`: nil when absent, the contract's 400
    /// naming the field otherwise.
    package static func parameter(_ raw: String?, field: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let raw else { return nil }
        guard let value = number(raw), range.contains(value) else {
            throw ChatError.invalid(field, "Must be a whole number from \(range.lowerBound) to \(range.upperBound), "
                                    + "written in ASCII digits without a sign or leading zeros.")
        }
        return value
    }
}
