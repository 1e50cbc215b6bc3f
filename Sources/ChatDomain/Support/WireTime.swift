import Foundation

/// Timestamps as the seed writes them: ISO 8601, UTC, milliseconds, `Z`.
package enum WireTime {
    /// Now, rounded to the millisecond so that what is stored is what is sent.
    package static func now() -> Date {
        Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    package static func iso(_ date: Date) -> String {
        let millisTotal = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var seconds = time_t(millisTotal / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var out = ""
        out.reserveCapacity(24)
        func digits(_ value: Int, _ width: Int) {
            let text = String(value)
            if text.count < width { out += String(repeating: "0", count: width - text.count) }
            out += text
        }
        digits(Int(parts.tm_year) + 1900, 4); out += "-"
        digits(Int(parts.tm_mon) + 1, 2); out += "-"
        digits(Int(parts.tm_mday), 2); out += "T"
        digits(Int(parts.tm_hour), 2); out += ":"
        digits(Int(parts.tm_min), 2); out += ":"
        digits(Int(parts.tm_sec), 2); out += "."
        digits(Int(millisTotal % 1000), 3); out += "Z"
        return out
    }

    /// The date of a timestamp `iso` wrote (`2026-01-02T03:04:05.678Z`), or nil.
    package static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 24, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54, bytes[13] == 0x3A, bytes[16] == 0x3A,
              bytes[19] == 0x2E, bytes[23] == 0x5A else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
              let minute = number(14..<16), let second = number(17..<19), let millis = number(20..<23) else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = timegm(&parts)
        return Date(timeIntervalSince1970: Double(Int64(seconds) * 1000 + Int64(millis)) / 1000)
    }
}
