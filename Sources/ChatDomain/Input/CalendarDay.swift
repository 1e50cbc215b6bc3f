/// A day written `YYYY-MM-DD` (ASCII digits, a real Gregorian date, 1970 to 9999), as a day
/// number: days since 1970-01-01 (UTC).
package enum CalendarDay {
    package static let firstYear = 1970

    /// The day number of `text`, or nil when it is not such a date.
    package static func number(_ text: some StringProtocol) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = ASCIIDigits.fixed(bytes[0..<4]), let month = ASCIIDigits.fixed(bytes[5..<7]),
              let day = ASCIIDigits.fixed(bytes[8..<10]),
              year >= firstYear, (1...12).contains(month), (1...days(inMonth: month, of: year)).contains(day)
        else { return nil }
        return number(year: year, month: month, day: day)
    }

    package static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    package static func days(inMonth month: Int, of year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a valid date of year 1970 or later (H. Hinnant's `days_from_civil`).
    static func number(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
