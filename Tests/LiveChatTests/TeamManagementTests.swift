import Foundation
import Testing
@testable import LiveChat

/// A business admin manages its own business's agents and departments through the admin API
/// (CONTRACT.md, "Merchant features"); another business's stay out of reach.
@Suite("Business admins manage their team", .timeLimit(.minutes(3)))
struct TeamManagementTests {
    @Test func aBusinessAdminInvitesPromotesAndDeactivatesItsAgents() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let admin = try await client.loginAgent(business, admin: true)
            let base = "/admin/businesses/\(business.id)"
            let department = try await client.post("\(base)/departments/", token: admin.token, json: ["name": "Returns"])
            #expect(department.status == 201)
            let departmentID = department.data["id"] as? String ?? ""
            let invited = try await client.post("\(base)/agents/", token: admin.token, json: [
                "email": "nina@shop.example", "password": "nina-password", "name": "Nina", "department": departmentID,
            ])
            #expect(invited.status == 201 && invited.data["is_admin"] as? Bool == false && invited.data["department"] as? String == departmentID)
            let nina = invited.data["id"] as? String ?? ""
            let login = try await client.post("/auth/login/", json: ["email": "nina@shop.example", "password": "nina-password"])
            #expect(login.status == 200)
            let ninaToken = login.data["token"] as? String ?? ""

            let listed = try await client.get("\(base)/agents/", token: admin.token)
            #expect((listed.json["data"] as? [JSON])?.count == 2)
            #expect((try await client.get("\(base)/departments/", token: admin.token).json["data"] as? [JSON])?.count == 2)

            let promoted = try await client.patch("\(base)/agents/\(nina)/", token: admin.token, json: ["is_admin": true])
            #expect(promoted.status == 200 && promoted.data["is_admin"] as? Bool == true)
            #expect(try await client.get("/chat/settings/", token: ninaToken).status == 200)
            let deactivated = try await client.patch("\(base)/agents/\(nina)/", token: admin.token, json: ["active": false])
            #expect(deactivated.status == 200 && deactivated.data["active"] as? Bool == false)
            #expect(try await client.get("/chat/sessions/", token: ninaToken).status == 401)

            // No business admin locks itself out.
            let selfDemote = try await client.patch("\(base)/agents/\(admin.id)/", token: admin.token, json: ["is_admin": false])
            #expect(selfDemote.status == 400 && (selfDemote.json["errors"] as? JSON)?["is_admin"] != nil)
            let selfOff = try await client.patch("\(base)/agents/\(admin.id)/", token: admin.token, json: ["active": false])
            #expect(selfOff.status == 400 && (selfOff.json["errors"] as? JSON)?["active"] != nil)
            #expect(try await client.get("/chat/settings/", token: admin.token).status == 200)
        }
    }

    @Test func plainAgentsVisitorsAndOtherBusinessesAreRefused() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let other = try await client.makeBusiness()
            let otherAdmin = try await client.loginAgent(other, admin: true)
            let plain = try await client.loginAgent(business)
            let chat = try await client.startChat(business)
            let base = "/admin/businesses/\(business.id)"
            let body: [String: Any] = ["email": "x@shop.example", "password": "long-password", "name": "X"]
            #expect(try await client.post("\(base)/agents/", token: plain.token, json: body).status == 403)
            #expect(try await client.get("\(base)/agents/", token: plain.token).status == 403)
            #expect(try await client.post("\(base)/departments/", token: chat.token, json: ["name": "D"]).status == 403)
            #expect(try await client.post("\(base)/agents/", token: otherAdmin.token, json: body).status == 404)
            #expect(try await client.get("\(base)/departments/", token: otherAdmin.token).status == 404)
            #expect(try await client.patch("\(base)/agents/\(plain.id)/", token: otherAdmin.token, json: ["active": false]).status == 404)
            // Its own business, another business's agent id: not found.
            #expect(try await client.patch("/admin/businesses/\(other.id)/agents/\(plain.id)/", token: otherAdmin.token,
                                           json: ["active": false]).status == 404)
            // Businesses and keys stay the platform admin's.
            #expect(try await client.get("/admin/businesses/", token: otherAdmin.token).status == 403)
            #expect(try await client.get("/admin/businesses/\(other.id)/keys/", token: otherAdmin.token).status == 403)
            #expect(try await client.get("/chat/sessions/", token: plain.token).status == 200)  // untouched
        }
    }
}
