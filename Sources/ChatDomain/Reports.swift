import Foundation

/// `GET /chat/reports/`: a business's figures over whole UTC days, in all and day by day.
package enum Reports {
    package static let maxDays = 366
    private static let day: Double = 86_400

    /// What the store reads for a period (sessions started or ended in it, messages by day, first
    /// responses, ratings); the figures are worked out here.
    package struct Rows: Sendable {
        package var started: [(startedAt: Date, endedAt: Date?)] = []
        package var endedAt: [Date] = []
        /// Messages (not notes) by day number (days since 1970, UTC).
        package var messagesByDay: [Int: Int] = [:]
        /// Per session started in the period: the agent's first message after the visitor's first.
        package var firstResponses: [(startedAt: Date, seconds: Double)] = []
        package var ratings: [(ratedAt: Date, score: Int)] = []

        package init() {}
    }

    package struct Figures: Sendable, Equatable {
        package var sessionsStarted = 0
        package var sessionsEnded = 0
        package var messages = 0
        package var medianFirstResponseSeconds: Double?
        package var medianDurationSeconds: Double?
        package var ratingAverage: Double?
        package var ratings = 0
    }

    package struct Report: Sendable {
        package let from: String
        package let to: String
        package let totals: Figures
        /// Every day of the period, oldest first (`YYYY-MM-DD`).
        package let days: [(date: String, figures: Figures)]
    }

    /// The day number of `YYYY-MM-DD` (UTC, ASCII digits, from 1970), nil if it is not such a date.
    package static func dayNumber(_ text: String) -> Int? { CalendarDay.number(text) }

    package static func dayNumber(of date: Date) -> Int { Int((date.timeIntervalSince1970 / day).rounded(.down)) }

    package static func dayStart(_ number: Int) -> Date { Date(timeIntervalSince1970: Double(number) * day) }

    package static func dayText(_ number: Int) -> String { String(WireTime.iso(dayStart(number)).prefix(10)) }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        let value = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        return (value * 10).rounded() / 10
    }

    static func figures(started: [(startedAt: Date, endedAt: Date?)], ended: Int, messages: Int, responses: [Double],
                        ratings: [Int]) -> Figures {
        var figures = Figures()
        figures.sessionsStarted = started.count
        figures.sessionsEnded = ended
        figures.messages = messages
        figures.medianFirstResponseSeconds = median(responses)
        figures.medianDurationSeconds = median(started.compactMap { row in row.endedAt.map { $0.timeIntervalSince(row.startedAt) } })
        figures.ratings = ratings.count
        if !ratings.isEmpty { figures.ratingAverage = (Double(ratings.reduce(0, +)) / Double(ratings.count) * 100).rounded() / 100 }
        return figures
    }

    /// The report of days `first` to `last` (day numbers, inclusive) from `rows`.
    static func report(first: Int, last: Int, rows: Rows) -> Report {
        // The rows grouped by day once (not filtered again for each of up to 366 days).
        let started = Dictionary(grouping: rows.started) { dayNumber(of: $0.startedAt) }
        let ended = Dictionary(grouping: rows.endedAt) { dayNumber(of: $0) }
        let responses = Dictionary(grouping: rows.firstResponses) { dayNumber(of: $0.startedAt) }
        let ratings = Dictionary(grouping: rows.ratings) { dayNumber(of: $0.ratedAt) }
        var days: [(String, Figures)] = []
        for number in first...last {
            days.append((dayText(number), figures(
                started: started[number] ?? [], ended: ended[number]?.count ?? 0, messages: rows.messagesByDay[number] ?? 0,
                responses: (responses[number] ?? []).map(\.seconds), ratings: (ratings[number] ?? []).map(\.score))))
        }
        let totals = figures(started: rows.started, ended: rows.endedAt.count, messages: rows.messagesByDay.values.reduce(0, +),
                             responses: rows.firstResponses.map(\.seconds), ratings: rows.ratings.map(\.score))
        return Report(from: dayText(first), to: dayText(last), totals: totals, days: days)
    }
}

package struct ReportService: Sendable {
    let reportStore: any ReportStore

    /// The report of `business` from day `from` to day `to` (`YYYY-MM-DD`, UTC, inclusive; by
    /// default the last 30 days up to today).
    package func report(of business: UUID, from: String?, to: String?) async throws -> Reports.Report {
        let today = Reports.dayNumber(of: WireTime.now())
        func parse(_ text: String?, _ field: String, default value: Int) throws -> Int {
            guard let text, !text.isEmpty else { return value }
            guard let number = Reports.dayNumber(text) else { throw ChatError.invalid(field, "Must be a date written YYYY-MM-DD in ASCII digits, from 1970-01-01 to 9999-12-31.") }
            return number
        }
        let last = try parse(to, "to", default: today)
        let first = try parse(from, "from", default: last - 29)
        guard first <= last else { throw ChatError.invalid("from", "Must not be after to.") }
        guard last - first < Reports.maxDays else { throw ChatError.invalid("to", "A report covers at most \(Reports.maxDays) days.") }
        let rows = try await reportStore.reportRows(of: business, from: Reports.dayStart(first), until: Reports.dayStart(last + 1))
        return Reports.report(first: first, last: last, rows: rows)
    }
}
