import ChatDomain
import ChatRealtime
import Vapor

/// `GET /chat/reports/?from=YYYY-MM-DD&to=YYYY-MM-DD`: an agent's business's figures (the platform
/// admin names `?business=`).
package struct ReportsController: RouteCollection {
    struct FiguresPayload: Encodable, Sendable {
        let figures: Reports.Figures
        let date: String?

        func encode(to encoder: any Encoder) throws {
            enum Keys: String, CodingKey {
                case date, sessions_started, sessions_ended, messages, median_first_response_s, median_duration_s, rating_average, ratings
            }
            var c = encoder.container(keyedBy: Keys.self)
            try c.encodeIfPresent(date, forKey: .date)
            try c.encode(figures.sessionsStarted, forKey: .sessions_started)
            try c.encode(figures.sessionsEnded, forKey: .sessions_ended)
            try c.encode(figures.messages, forKey: .messages)
            try c.encode(figures.medianFirstResponseSeconds, forKey: .median_first_response_s)
            try c.encode(figures.medianDurationSeconds, forKey: .median_duration_s)
            try c.encode(figures.ratingAverage, forKey: .rating_average)
            try c.encode(figures.ratings, forKey: .ratings)
        }
    }

    struct Payload: Encodable, Sendable {
        let report: Reports.Report

        func encode(to encoder: any Encoder) throws {
            enum Keys: String, CodingKey { case from, to, days }
            try FiguresPayload(figures: report.totals, date: nil).encode(to: encoder)
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(report.from, forKey: .from)
            try c.encode(report.to, forKey: .to)
            try c.encode(report.days.map { FiguresPayload(figures: $0.figures, date: $0.date) }, forKey: .days)
        }
    }

    package init() {}

    package func boot(routes: any RoutesBuilder) throws {
        routes.get("chat", "reports", use: report)
    }

    @Sendable
    func report(req: Request) async throws -> Response {
        let business = try await req.readableBusiness()
        let report = try await req.chat.reports.report(of: business, from: req.queryValue("from"), to: req.queryValue("to"))
        return try Envelope(message: "Report fetched successfully", data: Payload(report: report)).response()
    }
}
