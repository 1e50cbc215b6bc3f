import Foundation
import Testing
@testable import LiveChat

@Suite("POST /chat/start-session/", .timeLimit(.minutes(3)))
struct StartSessionTests {
    @Test func newGuestGets201WithSeedEnvelopeAndToken() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let reply = try await client.post("/chat/start-session/", json: ["business": business.id, "department": business.department])
            #expect(reply.status == 201)
            #expect(reply.message == "Chat session started successfully")
            #expect(reply.data["active"] as? Bool == true)
            #expect(UUID(uuidString: reply.data["session_id"] as? String ?? "") != nil)
            #expect(UUID(uuidString: reply.data["visitor_id"] as? String ?? "") != nil)
            #expect((reply.data["token"] as? String)?.split(separator: ".").count == 3)
            #expect(reply.data["business"] as? String == business.id)
            #expect(reply.data["department"] as? String == business.department)
            #expect(isISOMillis(reply.data["started_at"]))
        }
    }

    @Test func sameVisitorTokenReturnsTheActiveSessionWith200() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let first = try await client.startChat(business)
            let again = try await client.startChat(business, token: first.token)
            #expect(first.status == 201)
            #expect(again.status == 200)
            #expect(again.id == first.id)
            #expect(again.visitorID == first.visitorID)
            let other = try await client.startChat(business)
            #expect(other.id != first.id)
        }
    }

    @Test func fiftyParallelStartsOfOneVisitorMakeOneSession() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let first = try await client.startChat(business)
            _ = try await client.post("/chat/sessions/\(first.id)/end/", token: first.token)
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await client.startChat(business, token: first.token).id }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
            #expect(!ids.contains(first.id))
        }
    }

    @Test func fiftyParallelStartsOfOneVerifiedCustomerMakeOneSession() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let token = try CustomerToken.sign(sub: "cust-42", secret: business.identitySecret)
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        try await client.startChat(business, extra: ["external_customer_id": "cust-42", "customer_token": token]).id
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
        }
    }

    @Test func verifiedCustomerKeepsOneSessionAcrossDevices() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let token = try CustomerToken.sign(sub: "cust-1", secret: business.identitySecret)
            let one = try await client.startChat(business, extra: ["external_customer_id": "cust-1", "customer_token": token])
            let two = try await client.startChat(business, extra: ["customer_token": token])
            #expect(one.id == two.id)
            #expect(one.status == 201 && two.status == 200)
        }
    }

    @Test func bareExternalCustomerIDIsRefusedWithoutProof() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let reply = try await client.post("/chat/start-session/", json: ["business": business.id, "external_customer_id": "cust-1"])
            #expect(reply.status == 403)
            #expect(reply.data.isEmpty)
            #expect(!reply.text.contains("eyJ"))
        }
    }

    @Test func aVisitorTokenBesideAnUnprovenExternalCustomerIDIs403() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let guest = try await client.startChat(business)
            let reply = try await client.post("/chat/start-session/", token: guest.token,
                                              json: ["business": business.id, "external_customer_id": "cust-1"])
            #expect(reply.status == 403)
            #expect(reply.data.isEmpty)
            // With the proof, the customer's own session; the guest's token alone still finds its own.
            let token = try CustomerToken.sign(sub: "cust-1", secret: business.identitySecret)
            let proven = try await client.startChat(business, token: guest.token, extra: ["external_customer_id": "cust-1", "customer_token": token])
            #expect(proven.visitorID != guest.visitorID)
            #expect(try await client.startChat(business, token: guest.token).id == guest.id)
            // The customer's own visitor token with its own id: no proof needed again.
            #expect(try await client.startChat(business, token: proven.token, extra: ["external_customer_id": "cust-1"]).id == proven.id)
        }
    }

    @Test func bareExternalCustomerIDIsTrustedWhenTheBusinessAllowsIt() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness(["allow_unverified_customer_ids": true])
            let one = try await client.startChat(business, extra: ["external_customer_id": "c-9"])
            let two = try await client.startChat(business, extra: ["external_customer_id": "c-9"])
            let other = try await client.startChat(business, extra: ["external_customer_id": "c-10"])
            #expect(one.id == two.id)
            #expect(other.id != one.id)
        }
    }

    @Test(arguments: ["other_secret", "expired", "other_sub", "alg_none", "hs512"])
    func badCustomerTokensAreRefused(kind: String) async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let token: String
            switch kind {
            case "other_secret": token = try CustomerToken.sign(sub: "cust-1", secret: String(repeating: "z", count: 64))
            case "expired": token = try CustomerToken.sign(sub: "cust-1", secret: business.identitySecret, expiresIn: -60)
            case "other_sub": token = try CustomerToken.sign(sub: "cust-2", secret: business.identitySecret)
            case "alg_none": token = try CustomerToken.sign(sub: "cust-1", secret: business.identitySecret, alg: "none")
            default: token = try CustomerToken.sign(sub: "cust-1", secret: business.identitySecret, alg: "HS512")
            }
            let reply = try await client.post("/chat/start-session/", json: [
                "business": business.id, "external_customer_id": "cust-1", "customer_token": token])
            #expect(reply.status == 403)
            #expect(reply.data["session_id"] == nil)
        }
    }

    @Test func sessionsArePerBusiness() async throws {
        try await withServer { _, client in
            let one = try await client.makeBusiness(["allow_unverified_customer_ids": true])
            let two = try await client.makeBusiness(["allow_unverified_customer_ids": true])
            let a = try await client.startChat(one, extra: ["external_customer_id": "same"])
            let b = try await client.startChat(two, extra: ["external_customer_id": "same"])
            #expect(a.id != b.id)
            // A visitor token of business one does not open business two's chat of that visitor.
            let c = try await client.startChat(two, token: a.token)
            #expect(c.visitorID != a.visitorID)
        }
    }

    @Test func aNewSessionAfterTheEnd() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let first = try await client.startChat(business)
            let end = try await client.post("/chat/sessions/\(first.id)/end/", token: first.token)
            #expect(end.status == 200)
            let second = try await client.startChat(business, token: first.token)
            #expect(second.id != first.id)
            #expect(second.status == 201)
            #expect(second.visitorID == first.visitorID)
        }
    }

    @Test func badInputGetsTheErrorEnvelope() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let other = try await client.makeBusiness()
            let cases: [(Any?, Data?, Int)] = [
                (nil, Data("{not json".utf8), 400),
                (nil, Data("[1,2]".utf8), 400),
                ([String: Any](), nil, 400),
                (["business": 42], nil, 400),
                (["business": "not-a-uuid"], nil, 400),
                (["business": UUID().uuidString], nil, 404),
                (["business": business.id, "department": "nope"], nil, 400),
                (["business": business.id, "department": UUID().uuidString], nil, 404),
                (["business": business.id, "department": other.department], nil, 404),
                (["business": business.id, "external_customer_id": ""], nil, 400),
                (["business": business.id, "external_customer_id": String(repeating: "x", count: 256)], nil, 400),
                (["business": business.id, "external_customer_id": 12], nil, 400),
            ]
            for (json, raw, status) in cases {
                let reply = json != nil
                    ? try await client.post("/chat/start-session/", json: json)
                    : try await client.request(.POST, "/chat/start-session/", body: raw, headers: [("Content-Type", "application/json")])
                #expect(reply.status == status, "\(json.map { String(describing: $0) } ?? raw.map { String(decoding: $0, as: UTF8.self) } ?? "") → \(reply.status) \(reply.text)")
                #expect((reply.message ?? "").isEmpty == false)
                #expect(reply.data["session_id"] == nil)
            }
        }
    }

    @Test func hugeBodyIs413() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let reply = try await client.post("/chat/start-session/", json: ["business": business.id, "pad": String(repeating: "a", count: 100_000)])
            #expect(reply.status == 413)
            #expect(reply.message != nil)
        }
    }

    @Test func invalidBearerTokenIs401() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let reply = try await client.post("/chat/start-session/", token: "not.a.jwt", json: ["business": business.id])
            #expect(reply.status == 401)
        }
    }

    @Test func originOutsideTheAllowlistIsRefused() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness(["allowed_origins": ["https://shop.example"]])
            let refused = try await client.request(.POST, "/chat/start-session/", json: ["business": business.id], headers: [("Origin", "https://evil.example")])
            #expect(refused.status == 403)
            let allowed = try await client.request(.POST, "/chat/start-session/", json: ["business": business.id], headers: [("Origin", "https://shop.example")])
            #expect(allowed.status == 201)
        }
    }
}
