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
}
