import Foundation
import Testing
@testable import LiveChat

/// Business admins, `GET`/`PATCH /chat/settings/`, `GET /chat/widget-config/` and the pre-chat
/// form's answers on start-session (CONTRACT.md, "Business settings and the widget's view of them").
@Suite("Merchant settings: business admins, settings, the widget's config, the pre-chat form", .timeLimit(.minutes(3)))
struct SettingsTests {
    private func errors(_ reply: HTTPReply) -> [String: Any] { reply.json["errors"] as? [String: Any] ?? [:] }

    @Test func aBusinessAdminReadsAndChangesSomeSettingsAndTheRestStays() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness(["allowed_origins": ["https://shop.example"]])
            let admin = try await client.loginAgent(business, admin: true)
            let first = try await client.get("/chat/settings/", token: admin.token)
            #expect(first.status == 200)
            #expect(first.message == "Settings fetched successfully")
            #expect(first.data["business"] as? String == business.id)
            #expect(first.data["greeting"] is NSNull && first.data["offline_message"] is NSNull && first.data["retention_days"] is NSNull)
            #expect(first.data["prechat"] as? [String: String] == ["name": "off", "email": "off"])
            #expect(first.data["allowed_origins"] as? [String] == ["https://shop.example"])
            #expect(first.data["auto_assign"] as? Bool == false)

            let changed = try await client.patch("/chat/settings/", token: admin.token, json: [
                "greeting": "Hi! How can we help?", "prechat": ["name": "required"], "retention_days": 30])
            #expect(changed.status == 200)
            #expect(changed.message == "Settings updated successfully")
            #expect(changed.data["greeting"] as? String == "Hi! How can we help?")
            #expect(changed.data["prechat"] as? [String: String] == ["name": "required", "email": "off"])
            #expect(changed.data["retention_days"] as? Int == 30)
            #expect(changed.data["allowed_origins"] as? [String] == ["https://shop.example"])
            #expect(changed.data["name"] as? String == first.data["name"] as? String)

            let cleared = try await client.patch("/chat/settings/", token: admin.token, json: [
                "greeting": NSNull(), "retention_days": NSNull(), "offline_message": "Back at 9", "name": "Renamed Shop", "auto_assign": true])
            #expect(cleared.status == 200)
            let read = try await client.get("/chat/settings/", token: admin.token)
            #expect(read.data["greeting"] is NSNull && read.data["retention_days"] is NSNull)
            #expect(read.data["offline_message"] as? String == "Back at 9")
            #expect(read.data["name"] as? String == "Renamed Shop")
            #expect(read.data["auto_assign"] as? Bool == true)
            #expect(read.data["prechat"] as? [String: String] == ["name": "required", "email": "off"])
        }
    }

    @Test func onlyABusinessAdminOfThatBusinessOrThePlatformAdminManagesIt() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let other = try await client.makeBusiness()
            let admin = try await client.loginAgent(business, admin: true)
            let plain = try await client.loginAgent(business)
            let chat = try await client.startChat(business)
            for (token, status) in [(plain.token, 403), (chat.token, 403), (nil, 401), ("not-a-token", 401)] as [(String?, Int)] {
                #expect(try await client.get("/chat/settings/", token: token).status == status)
                #expect(try await client.patch("/chat/settings/", token: token, json: ["greeting": "x"]).status == status)
            }
            // A business admin names only its own business; the other one is not found.
            #expect(try await client.get("/chat/settings/?business=\(other.id)", token: admin.token).status == 404)
            #expect(try await client.patch("/chat/settings/?business=\(other.id)", token: admin.token, json: ["greeting": "x"]).status == 404)
            #expect(try await client.get("/chat/settings/?business=\(business.id)", token: admin.token).status == 200)
            // The platform admin names the business.
            let platform = try await client.adminToken()
            let missing = try await client.get("/chat/settings/", token: platform)
            #expect(missing.status == 400)
            #expect(errors(missing)["business"] != nil)
            #expect(try await client.get("/chat/settings/?business=\(UUID().uuidString)", token: platform).status == 404)
            #expect(try await client.get("/chat/settings/?business=nope", token: platform).status == 404)
            let set = try await client.patch("/chat/settings/?business=\(other.id)", token: platform, json: ["greeting": "Hello from admin"])
            #expect(set.status == 200)
            #expect(set.data["business"] as? String == other.id)
            // The other business's greeting changed, not this one's.
            #expect(try await client.get("/chat/settings/", token: admin.token).data["greeting"] is NSNull)
        }
    }

    @Test func badSettingsAreRefusedWithTheFieldsErrorAndChangeNothing() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let admin = try await client.loginAgent(business, admin: true)
            let cases: [([String: Any], String)] = [
                (["retention_days": 0], "retention_days"), (["retention_days": 3651], "retention_days"),
                (["retention_days": "30"], "retention_days"), (["retention_days": 1.5], "retention_days"),
                (["prechat": ["name": "maybe"]], "prechat"), (["prechat": "required"], "prechat"), (["prechat": ["email": 1]], "prechat"),
                (["greeting": String(repeating: "a", count: 1001)], "greeting"), (["greeting": 5], "greeting"),
                (["offline_message": ["x"]], "offline_message"),
                (["allowed_origins": ["ftp://shop.example"]], "allowed_origins"), (["allowed_origins": "https://a.example"], "allowed_origins"),
                (["allowed_origins": [1]], "allowed_origins"),
                (["name": ""], "name"), (["name": "   "], "name"), (["name": 12], "name"), (["name": String(repeating: "n", count: 201)], "name"),
                (["auto_assign": "yes"], "auto_assign"), (["greeting": "nul \u{0} inside"], "greeting"),
            ]
            for (body, field) in cases {
                let reply = try await client.patch("/chat/settings/", token: admin.token, json: body)
                #expect(reply.status == 400, "\(body)")
                #expect(errors(reply)[field] != nil, "\(body): \(reply.text)")
            }
            let malformed = try await client.request(.PATCH, "/chat/settings/", token: admin.token, body: Data("{\"greeting\":".utf8),
                                                     headers: [("Content-Type", "application/json")])
            #expect(malformed.status == 400)
            let huge = try await client.patch("/chat/settings/", token: admin.token, json: ["greeting": String(repeating: "a", count: 100_000)])
            #expect(huge.status == 413)
            let read = try await client.get("/chat/settings/", token: admin.token)
            #expect(read.data["greeting"] is NSNull && read.data["retention_days"] is NSNull)
            #expect(read.data["prechat"] as? [String: String] == ["name": "off", "email": "off"])
        }
    }

    @Test func theWidgetConfigIsPublicHonoursTheOriginsAndSaysWhetherAnAgentIsOnline() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let admin = try await client.loginAgent(business, admin: true)
            _ = try await client.patch("/chat/settings/", token: admin.token, json: [
                "greeting": "Welcome", "offline_message": "We reply by email", "prechat": ["email": "optional"],
                "allowed_origins": ["https://shop.example"]])
            let config = try await client.request(.GET, "/chat/widget-config/?business=\(business.id)", headers: [("Origin", "https://shop.example")])
            #expect(config.status == 200)
            #expect(config.message == "Widget settings fetched successfully")
            #expect(config.data["greeting"] as? String == "Welcome")
            #expect(config.data["offline_message"] as? String == "We reply by email")
            #expect(config.data["prechat"] as? [String: String] == ["name": "off", "email": "optional"])
            #expect(config.data["online"] as? Bool == false)
            #expect(config.data["retention_days"] == nil && config.data["allowed_origins"] == nil)
            // Another page's origin is refused, as start-session refuses it (at once after the change).
            let foreign = try await client.request(.GET, "/chat/widget-config/?business=\(business.id)", headers: [("Origin", "https://evil.example")])
            #expect(foreign.status == 403)
            let start = try await client.request(.POST, "/chat/start-session/", json: ["business": business.id],
                                                 headers: [("Origin", "https://evil.example")])
            #expect(start.status == 403)
            // An agent online (its feed open) makes it online; closing the feed takes it offline after the grace period.
            let (feed, _) = try await client.feed(token: admin.token)
            _ = try await eventually({
                try await client.request(.GET, "/chat/widget-config/?business=\(business.id)", headers: [("Origin", "https://shop.example")])
            }, until: { $0.data["online"] as? Bool == true })
            await feed.close()
            // Bad and unknown businesses.
            #expect(try await client.get("/chat/widget-config/").status == 400)
            #expect(try await client.get("/chat/widget-config/?business=nope").status == 400)
            #expect(try await client.get("/chat/widget-config/?business=\(UUID().uuidString)").status == 404)
        }
    }

    @Test func thePrechatAnswersAreCheckedRequiredWhenTheFormSaysAndShownInTheInbox() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let admin = try await client.loginAgent(business, admin: true)
            // Off: a start without answers works, and answers given are still kept.
            let plain = try await client.startChat(business)
            #expect(plain.status == 201)
            _ = try await client.patch("/chat/settings/", token: admin.token, json: ["prechat": ["name": "required", "email": "optional"]])
            let noName = try await client.post("/chat/start-session/", json: ["business": business.id])
            #expect(noName.status == 400)
            #expect(errors(noName)["name"] != nil)
            for (body, field) in [
                (["name": "   "], "name"), (["name": 42], "name"), (["name": String(repeating: "x", count: 101)], "name"),
                (["name": "Ann", "email": "not-an-email"], "email"), (["name": "Ann", "email": "a@b"], "email"),
                (["name": "Ann", "email": "a b@shop.example"], "email"), (["name": "Ann", "email": 7], "email"),
            ] as [([String: Any], String)] {
                let reply = try await client.post("/chat/start-session/", json: body.merging(["business": business.id]) { a, _ in a })
                #expect(reply.status == 400, "\(body)")
                #expect(errors(reply)[field] != nil, "\(body): \(reply.text)")
            }
            let ann = try await client.startChat(business, extra: ["name": "  Ann Lee ", "email": "Ann@Shop.Example"])
            #expect(ann.status == 201)
            // The visitor coming back with its token is known: no second form.
            let again = try await client.startChat(business, token: ann.token)
            #expect(again.status == 200 && again.id == ann.id)
            let inbox = try await client.get("/chat/sessions/", token: admin.token)
            let rows = inbox.json["data"] as? [JSON] ?? []
            let visitor = rows.first { $0["session_id"] as? String == ann.id }?["visitor"] as? JSON
            #expect(visitor?["name"] as? String == "Ann Lee")
            #expect(visitor?["email"] as? String == "ann@shop.example")
            let other = rows.first { $0["session_id"] as? String == plain.id }?["visitor"] as? JSON
            #expect(other?["name"] is NSNull && other?["email"] is NSNull && other?["external_customer_id"] is NSNull)
            // Email required as well: a proven customer without one is refused, then accepted with it.
            _ = try await client.patch("/chat/settings/", token: admin.token, json: ["prechat": ["email": "required"]])
            let token = try CustomerToken.sign(sub: "cust-7", secret: business.identitySecret)
            let refused = try await client.post("/chat/start-session/", json: [
                "business": business.id, "external_customer_id": "cust-7", "customer_token": token, "name": "Bo"])
            #expect(refused.status == 400)
            #expect(errors(refused)["email"] != nil)
            let customer = try await client.startChat(business, extra: [
                "external_customer_id": "cust-7", "customer_token": token, "name": "Bo", "email": "bo@shop.example"])
            #expect(customer.status == 201)
        }
    }

    @Test func isAdminIsGivenAndTakenThroughTheAdminAPI() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let platform = try await client.adminToken()
            let created = try await client.post("/admin/businesses/\(business.id)/agents/", token: platform, json: [
                "email": "boss@shop.example", "password": "secret-password", "name": "Boss", "is_admin": true])
            #expect(created.status == 201)
            #expect(created.data["is_admin"] as? Bool == true)
            let agentID = try #require(created.data["id"] as? String)
            let login = try await client.post("/auth/login/", json: ["email": "boss@shop.example", "password": "secret-password"])
            #expect((login.data["agent"] as? JSON)?["is_admin"] as? Bool == true)
            let token = try #require(login.data["token"] as? String)
            #expect(try await client.get("/chat/settings/", token: token).status == 200)
            let demoted = try await client.patch("/admin/businesses/\(business.id)/agents/\(agentID)/", token: platform, json: ["is_admin": false])
            #expect(demoted.status == 200)
            #expect(demoted.data["is_admin"] as? Bool == false && demoted.data["active"] as? Bool == true)
            #expect(try await client.get("/chat/settings/", token: token).status == 403)
            for body in [[:], ["is_admin": "yes"], ["active": 1]] as [[String: Any]] {
                #expect(try await client.patch("/admin/businesses/\(business.id)/agents/\(agentID)/", token: platform, json: body).status == 400)
            }
            let other = try await client.makeBusiness()
            #expect(try await client.patch("/admin/businesses/\(other.id)/agents/\(agentID)/", token: platform, json: ["is_admin": true]).status == 404)
            #expect(try await client.post("/admin/businesses/\(business.id)/agents/", token: platform, json: [
                "email": "x@shop.example", "password": "secret-password", "name": "X", "is_admin": "true"]).status == 400)
            let listed = try await client.get("/admin/businesses/\(business.id)/agents/", token: platform)
            #expect((listed.json["data"] as? [JSON])?.first?["is_admin"] as? Bool == false)
        }
    }
}
