import Foundation
import Testing
@testable import LiveChat

/// The visitor's journey over HTTP (issue 24): the pre-chat form's problems all at once, and a
/// returning visitor's answers kept on the same visitor.
@Suite("The visitor's journey: pre-chat answers", .timeLimit(.minutes(3)))
struct VisitorJourneyTests {
    private func errors(_ reply: HTTPReply) -> [String: Any] { reply.json["errors"] as? [String: Any] ?? [:] }

    @Test func everyProblemOfTheFormIsAnsweredAtOnce() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let admin = try await client.loginAgent(business, admin: true)
            _ = try await client.patch("/chat/settings/", token: admin.token, json: ["prechat": ["name": "required", "email": "required"]])
            let neither = try await client.post("/chat/start-session/", json: ["business": business.id])
            #expect(neither.status == 400)
            #expect(errors(neither)["name"] as? [String] == ["This field is required."])
            #expect(errors(neither)["email"] as? [String] == ["This field is required."])
            let badEmailNoName = try await client.post("/chat/start-session/", json: ["business": business.id, "email": "a@<b>.com"])
            #expect(errors(badEmailNoName)["name"] as? [String] == ["This field is required."])
            #expect(errors(badEmailNoName)["email"] as? [String] == ["Enter a valid email address."])
            let bothBad = try await client.post("/chat/start-session/", json: ["business": business.id, "name": "  ", "email": "x"])
            #expect(errors(bothBad)["name"] != nil && errors(bothBad)["email"] != nil)
            // With the form off, a malformed answer is still refused (and only that one).
            _ = try await client.patch("/chat/settings/", token: admin.token, json: ["prechat": ["name": "off", "email": "off"]])
            let off = try await client.post("/chat/start-session/", json: ["business": business.id, "email": "nope"])
            #expect(off.status == 400 && errors(off).keys.sorted() == ["email"])
        }
    }

    @Test func aReturningVisitorsAnswersUpdateTheSameVisitor() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let admin = try await client.loginAgent(business, admin: true)
            // A first chat without the form, ended.
            let first = try await client.startChat(business)
            _ = try await client.post("/chat/sessions/\(first.id)/end/", token: first.token)
            // The shop now requires an email: the visitor comes back with its token and the form's answers.
            _ = try await client.patch("/chat/settings/", token: admin.token, json: ["prechat": ["name": "optional", "email": "required"]])
            let refused = try await client.post("/chat/start-session/", token: first.token, json: ["business": business.id])
            #expect(refused.status == 400 && errors(refused)["email"] != nil)
            let second = try await client.startChat(business, token: first.token, extra: ["name": "Kim Park", "email": "Kim@Shop.Example"])
            #expect(second.status == 201 && second.visitorID == first.visitorID && second.id != first.id)
            let rows = try await client.get("/chat/sessions/", token: admin.token).json["data"] as? [JSON] ?? []
            for session in [first.id, second.id] {
                let visitor = rows.first { $0["session_id"] as? String == session }?["visitor"] as? JSON
                #expect(visitor?["name"] as? String == "Kim Park" && visitor?["email"] as? String == "kim@shop.example", "\(session)")
            }
            // A later answer replaces the stored one; no answer keeps it.
            _ = try await client.post("/chat/sessions/\(second.id)/end/", token: second.token)
            let third = try await client.startChat(business, token: first.token, extra: ["email": "kim@other.example"])
            #expect(third.status == 201 && third.visitorID == first.visitorID)
            let export = try await client.get("/chat/visitors/\(first.visitorID)/export/", token: admin.token)
            let stored = export.data["visitor"] as? JSON
            #expect(stored?["name"] as? String == "Kim Park" && stored?["email"] as? String == "kim@other.example")
        }
    }
}
