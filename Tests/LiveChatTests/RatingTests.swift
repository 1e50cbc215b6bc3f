import Foundation
import Testing
@testable import LiveChat

/// `POST /chat/sessions/<id>/rating/` (CONTRACT.md, "Ratings (CSAT)").
@Suite("Ratings", .timeLimit(.minutes(3)))
struct RatingTests {
    private func errors(_ reply: HTTPReply) -> [String: Any] { reply.json["errors"] as? [String: Any] ?? [:] }

    @Test func theVisitorRatesAnEndedChatOnceTheInboxAndTheFeedShowIt() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let agent = try await client.loginAgent(business)
            let (feed, _) = try await client.feed(token: agent.token)
            let chat = try await client.startChat(business)
            let early = try await client.post("/chat/sessions/\(chat.id)/rating/", token: chat.token, json: ["score": 5])
            #expect(early.status == 409)
            #expect(early.message == "A chat can be rated once it has ended.")
            _ = try await client.post("/chat/sessions/\(chat.id)/end/", token: chat.token)
            let rated = try await client.post("/chat/sessions/\(chat.id)/rating/", token: chat.token, json: ["score": 4, "comment": "  Quick and kind. "])
            #expect(rated.status == 201)
            #expect(rated.message == "Thank you for your feedback")
            #expect(rated.data["score"] as? Int == 4 && rated.data["comment"] as? String == "Quick and kind.")
            #expect(isISOMillis(rated.data["rated_at"]))
            let again = try await client.post("/chat/sessions/\(chat.id)/rating/", token: chat.token, json: ["score": 1])
            #expect(again.status == 409)
            #expect(again.message == "This chat has already been rated.")

            let event = try await feed.next(type: "session_rated", timeout: 10)
            #expect(event["session_id"] as? String == chat.id)
            #expect((event["rating"] as? JSON)?["score"] as? Int == 4)
            #expect((event["rating"] as? JSON)?["comment"] as? String == "Quick and kind.")
            #expect(event["cursor"] is Int)
            await feed.close()

            let inbox = try await client.get("/chat/sessions/?active=false", token: agent.token)
            let row = (inbox.json["data"] as? [JSON])?.first { $0["session_id"] as? String == chat.id }
            let rating = row?["rating"] as? JSON
            #expect(rating?["score"] as? Int == 4 && rating?["comment"] as? String == "Quick and kind.")
            // An unrated ended chat shows null; a rating without a comment has a null comment.
            let other = try await client.startChat(business)
            _ = try await client.post("/chat/sessions/\(other.id)/end/", token: agent.token)
            let rows = try await client.get("/chat/sessions/?active=false", token: agent.token).json["data"] as? [JSON] ?? []
            #expect(rows.first { $0["session_id"] as? String == other.id }?["rating"] is NSNull)
            let plain = try await client.post("/chat/sessions/\(other.id)/rating/", token: other.token, json: ["score": 1, "comment": NSNull()])
            #expect(plain.status == 201 && plain.data["comment"] is NSNull)
        }
    }

    @Test func onlyTheSessionsVisitorRatesWithAScoreFromOneToFive() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let agent = try await client.loginAgent(business)
            let chat = try await client.startChat(business)
            let stranger = try await client.startChat(business)
            let otherBusiness = try await client.makeBusiness()
            let outsider = try await client.startChat(otherBusiness)
            _ = try await client.post("/chat/sessions/\(chat.id)/end/", token: chat.token)
            let path = "/chat/sessions/\(chat.id)/rating/"
            #expect(try await client.post(path, token: agent.token, json: ["score": 5]).status == 403)
            #expect(try await client.post(path, token: stranger.token, json: ["score": 5]).status == 403)
            #expect(try await client.post(path, token: outsider.token, json: ["score": 5]).status == 404)
            #expect(try await client.post(path, json: ["score": 5]).status == 401)
            #expect(try await client.post("/chat/sessions/\(UUID().uuidString)/rating/", token: chat.token, json: ["score": 5]).status == 404)
            #expect(try await client.post("/chat/sessions/nope/rating/", token: chat.token, json: ["score": 5]).status == 404)
            for (body, field) in [
                ([:], "score"), (["score": 0], "score"), (["score": 6], "score"), (["score": 4.5], "score"), (["score": "5"], "score"),
                (["score": 5, "comment": String(repeating: "c", count: 1001)], "comment"), (["score": 5, "comment": 3], "comment"),
            ] as [([String: Any], String)] {
                let reply = try await client.post(path, token: chat.token, json: body)
                #expect(reply.status == 400, "\(body)")
                #expect(errors(reply)[field] != nil, "\(body): \(reply.text)")
            }
            // Twenty ratings at once: one is stored.
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for score in 1...5 {
                    for _ in 0..<4 { group.addTask { try await client.post(path, token: chat.token, json: ["score": score]).status } }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1)
            #expect(statuses.filter { $0 == 409 }.count == 19)
        }
    }
}
