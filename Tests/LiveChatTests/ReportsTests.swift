import Foundation
import Testing
@testable import LiveChat

/// `GET /chat/reports/` (CONTRACT.md, "Reports").
@Suite("Reports", .timeLimit(.minutes(3)))
struct ReportsTests {
    private static var today: String { String(ISO8601DateFormatter().string(from: Date()).prefix(10)) }

    @Test func theFiguresOfABusinessInAllAndDayByDay() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let agentToken = try await client.agentToken(business.id)
            // A chat answered, ended and rated 4; one unanswered and active; one ended and rated 2.
            let answered = try await client.startChat(business)
            let visitor = try await client.joined(answered)
            let agent = try await client.joined(answered, token: agentToken)
            try await visitor.send(["type": "text", "content": "hello?"])
            _ = try await agent.next(type: "text")
            try await agent.send(["type": "note", "content": "not counted"])
            try await agent.send(["type": "text", "content": "hi!"])
            _ = try await visitor.next(type: "text", where: { $0["content"] as? String == "hi!" })
            _ = try await client.post("/chat/sessions/\(answered.id)/end/", token: agentToken)
            _ = try await client.post("/chat/sessions/\(answered.id)/rating/", token: answered.token, json: ["score": 4])
            let waiting = try await client.startChat(business)
            let alone = try await client.joined(waiting)
            try await alone.send(["type": "text", "content": "anyone?"])
            _ = try await alone.next(type: "text")
            let rated = try await client.startChat(business)
            _ = try await client.post("/chat/sessions/\(rated.id)/end/", token: rated.token)
            _ = try await client.post("/chat/sessions/\(rated.id)/rating/", token: rated.token, json: ["score": 2])

            let report = try await client.get("/chat/reports/", token: agentToken)
            #expect(report.status == 200)
            #expect(report.message == "Report fetched successfully")
            let data = report.data
            #expect(data["to"] as? String == Self.today)
            #expect(data["sessions_started"] as? Int == 3 && data["sessions_ended"] as? Int == 2)
            #expect(data["messages"] as? Int == 3)  // the note is not a message of the report
            #expect(data["ratings"] as? Int == 2 && data["rating_average"] as? Double == 3.0)
            #expect((data["median_first_response_s"] as? Double).map { $0 >= 0 && $0 < 30 } == true)
            #expect((data["median_duration_s"] as? Double).map { $0 >= 0 && $0 < 60 } == true)
            let days = data["days"] as? [JSON] ?? []
            #expect(days.count == 30)
            #expect(days.last?["date"] as? String == Self.today && days.last?["sessions_started"] as? Int == 3)
            #expect(days.first?["sessions_started"] as? Int == 0 && days.first?["median_duration_s"] is NSNull)

            let one = try await client.get("/chat/reports/?from=\(Self.today)&to=\(Self.today)", token: agentToken)
            #expect((one.data["days"] as? [JSON])?.count == 1 && one.data["messages"] as? Int == 3)
            // Another business's agent sees its own, empty, figures.
            let other = try await client.makeBusiness()
            let empty = try await client.get("/chat/reports/", token: try await client.agentToken(other.id))
            #expect(empty.data["sessions_started"] as? Int == 0 && empty.data["rating_average"] is NSNull)
            for socket in [visitor, agent, alone] { await socket.close() }
        }
    }

    @Test func badPeriodsAndCallersAreRefused() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let agentToken = try await client.agentToken(business.id)
            for (query, field) in [
                ("from=2026-13-01", "from"), ("to=yesterday", "to"), ("from=2026-02-30", "from"), ("from=2026-1-1", "from"),
                ("from=2026-03-02&to=2026-03-01", "from"), ("from=2025-01-01&to=2026-01-02", "to"),
            ] {
                let reply = try await client.get("/chat/reports/?\(query)", token: agentToken)
                #expect(reply.status == 400, "\(query)")
                #expect((reply.json["errors"] as? JSON)?[field] != nil, "\(query): \(reply.text)")
            }
            #expect(try await client.get("/chat/reports/?from=2025-01-01&to=2026-01-01", token: agentToken).status == 200)  // 366 days
            let chat = try await client.startChat(business)
            #expect(try await client.get("/chat/reports/", token: chat.token).status == 403)
            #expect(try await client.get("/chat/reports/").status == 401)
            let platform = try await client.adminToken()
            #expect(try await client.get("/chat/reports/", token: platform).status == 400)
            let named = try await client.get("/chat/reports/?business=\(business.id)", token: platform)
            #expect(named.status == 200 && named.data["sessions_started"] as? Int == 1)
        }
    }
}
