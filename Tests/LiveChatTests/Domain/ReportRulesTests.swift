import Foundation
import Testing
@testable import ChatDomain

/// `ReportService`: the period's dates, and the figures worked out from the fake store's rows.
@Suite("Rules on fakes: reports", .timeLimit(.minutes(3)))
struct ReportRulesTests {
    private let dateProblem = "Must be a date written YYYY-MM-DD in ASCII digits, from 1970-01-01 to 9999-12-31."

    @Test func aDateIsYYYYMMDDInASCIIDigitsARealDayFrom1970() async throws {
        let ports = try await FakePorts.make()
        let reports = ReportService(reportStore: ports.store)
        let shop = try await ports.business()
        for bad in ["2026-3-10", "2026-02-30", "2025-02-29", "10/03/2026", "2026-03-10T00:00:00Z", "١٩٧٠-01-01", "1969-12-31", "２０２６-03-10"] {
            await #expect(throws: ChatError.invalid("from", dateProblem), "\(bad)") {
                try await reports.report(of: shop.id, from: bad, to: "2026-03-10")
            }
            await #expect(throws: ChatError.invalid("to", dateProblem), "\(bad)") {
                try await reports.report(of: shop.id, from: "2026-03-01", to: bad)
            }
        }
        let leap = try await reports.report(of: shop.id, from: "2024-02-29", to: "2024-03-01")
        #expect(leap.from == "2024-02-29" && leap.to == "2024-03-01" && leap.days.map(\.date) == ["2024-02-29", "2024-03-01"])
    }

    @Test func aPeriodRunsForwardAndCoversAtMost366Days() async throws {
        let ports = try await FakePorts.make()
        let reports = ReportService(reportStore: ports.store)
        let shop = try await ports.business()
        await #expect(throws: ChatError.invalid("from", "Must not be after to.")) {
            try await reports.report(of: shop.id, from: "2026-03-11", to: "2026-03-10")
        }
        await #expect(throws: ChatError.invalid("to", "A report covers at most 366 days.")) {
            try await reports.report(of: shop.id, from: "2025-01-01", to: "2026-01-02")
        }
        #expect(try await reports.report(of: shop.id, from: "2025-01-01", to: "2026-01-01").days.count == 366)
        let one = try await reports.report(of: shop.id, from: "2026-03-10", to: "2026-03-10")
        #expect(one.days.count == 1 && one.totals == Reports.Figures())
        // By default (and for an empty date): the 30 days up to today.
        let today = Reports.dayText(Reports.dayNumber(of: Date()))
        let recent = try await reports.report(of: shop.id, from: nil, to: "")
        #expect(recent.to == today && recent.days.count == 30)
    }

    @Test func theFiguresCountSessionsMessagesButNotNotesResponsesDurationsAndRatings() async throws {
        let day = try #require(Reports.dayNumber("2026-03-10"))
        let nine = Reports.dayStart(day).addingTimeInterval(9 * 3600)
        let clock = FakeClock(nine)
        let ports = try await FakePorts.make(clock: { clock.now })
        let reports = ReportService(reportStore: ports.store)
        let shop = try await ports.business()
        let agent = Identity.agent(id: try await ports.agent(of: shop.id).id, business: shop.id)
        func say(_ text: String, in session: ChatSession, by identity: Identity, at seconds: TimeInterval, note: Bool = false) {
            clock.set(session.startedAt.addingTimeInterval(seconds))
            ports.log.append(PendingMessage(sessionID: session.id, businessID: shop.id, body: note ? .note(text) : .text(text),
                                            senderID: identity.subject ?? UUID(), senderType: identity.senderType, clientID: nil, origin: nil))
        }
        // Day 1: answered after 60 s (a note before the answer is no answer), ended after 10 minutes, rated 4.
        let first = try await ports.session(of: shop.id, startedAt: nine)
        let firstVisitor = Identity.visitor(id: first.visitorID, business: shop.id)
        say("hello?", in: first, by: firstVisitor, at: 10)
        say("checking the order", in: first, by: agent, at: 20, note: true)
        say("Hi! Let me look.", in: first, by: agent, at: 70)
        clock.set(nine.addingTimeInterval(600))
        _ = try await ports.log.end(session: first.id)
        try await ports.store.insert(Rating(sessionID: first.id, businessID: shop.id, score: 4, comment: nil, createdAt: nine.addingTimeInterval(660)))
        // Day 2: answered after 30 s, still open.
        let second = try await ports.session(of: shop.id, startedAt: nine.addingTimeInterval(86_400 + 3600))
        say("anyone there?", in: second, by: .visitor(id: second.visitorID, business: shop.id), at: 5)
        say("Yes!", in: second, by: agent, at: 35)

        let report = try await reports.report(of: shop.id, from: "2026-03-10", to: "2026-03-12")
        var totals = Reports.Figures()
        totals.sessionsStarted = 2; totals.sessionsEnded = 1; totals.messages = 4
        totals.medianFirstResponseSeconds = 45; totals.medianDurationSeconds = 600; totals.ratingAverage = 4; totals.ratings = 1
        #expect(report.totals == totals)
        #expect(report.days.map(\.date) == ["2026-03-10", "2026-03-11", "2026-03-12"])
        #expect(report.days.map(\.figures.sessionsStarted) == [1, 1, 0])
        #expect(report.days.map(\.figures.messages) == [2, 2, 0])
        #expect(report.days.map(\.figures.medianFirstResponseSeconds) == [60, 30, nil])
        // Another business's report sees none of it.
        let other = try await ports.business(name: "Other")
        #expect(try await reports.report(of: other.id, from: "2026-03-10", to: "2026-03-12").totals == Reports.Figures())
    }
}
