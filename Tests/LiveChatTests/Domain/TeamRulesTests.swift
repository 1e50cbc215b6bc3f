import Foundation
import Testing
@testable import ChatDomain

/// `TeamService`: businesses, departments and agents, on the fake directory and hasher.
@Suite("Rules on fakes: team", .timeLimit(.minutes(3)))
struct TeamRulesTests {
    @Test func aPasswordHasEightTo72Characters() async throws {
        let ports = try await FakePorts.make()
        let team = TeamService(directoryStore: ports.store, hasher: ports.hasher)
        let shop = try await ports.business()
        await #expect(throws: ChatError.invalid("password", "Ensure this field has at least 8 characters.")) {
            try await team.createAgent(business: shop.id, email: "ann@shop.example", password: "1234567", name: "Ann")
        }
        await #expect(throws: ChatError.invalid("password", "Ensure this field has no more than 72 characters.")) {
            try await team.createAgent(business: shop.id, email: "ann@shop.example", password: String(repeating: "p", count: 73), name: "Ann")
        }
        #expect(try await ports.store.agents(of: shop.id).isEmpty)
        let agent = try await team.createAgent(business: shop.id, email: "ann@shop.example", password: "12345678", name: "Ann")
        #expect(agent.passwordHash == PlainHasher.hashed("12345678"))
        _ = try await team.createAgent(business: shop.id, email: "bob@shop.example", password: String(repeating: "p", count: 72), name: "Bob")
    }

    @Test func anEmailIsCheckedNormalizedAndTakenOnceInTheWholeServer() async throws {
        let ports = try await FakePorts.make()
        let team = TeamService(directoryStore: ports.store, hasher: ports.hasher)
        let shop = try await ports.business()
        let other = try await ports.business(name: "Other")
        for bad in ["", "ann", "ann@", "@shop.example", "ann shop@example.com"] {
            await #expect(throws: ChatError.invalid("email", "Enter a valid email address."), "\(bad)") {
                try await team.createAgent(business: shop.id, email: bad, password: "correct horse", name: "Ann")
            }
        }
        let ann = try await team.createAgent(business: shop.id, email: "  Ann@Shop.Example ", password: "correct horse", name: "Ann")
        #expect(ann.email == "ann@shop.example")
        #expect(try await ports.store.agent(email: "ann@shop.example")?.id == ann.id)
        await #expect(throws: ChatError.emailTaken) {
            try await team.createAgent(business: other.id, email: "ANN@shop.example", password: "correct horse", name: "Other Ann")
        }
        #expect(try await ports.store.agents(of: other.id).isEmpty)
    }

    @Test func anAgentsBusinessAndDepartmentMustExistAndMatch() async throws {
        let ports = try await FakePorts.make()
        let team = TeamService(directoryStore: ports.store, hasher: ports.hasher)
        let shop = try await ports.business()
        let theirs = try await ports.department(of: try await ports.business(name: "Other").id)
        await #expect(throws: ChatError.businessNotFound) {
            try await team.createAgent(business: UUID(), email: "ann@shop.example", password: "correct horse", name: "Ann")
        }
        await #expect(throws: ChatError.departmentNotFound) {
            try await team.createAgent(business: shop.id, email: "ann@shop.example", password: "correct horse", name: "Ann", department: theirs.id)
        }
        await #expect(throws: ChatError.businessNotFound) { try await team.createDepartment(business: UUID(), name: "Sales") }
        let sales = try await team.createDepartment(business: shop.id, name: "Sales")
        let ann = try await team.createAgent(business: shop.id, email: "ann@shop.example", password: "correct horse", name: "Ann",
                                             department: sales.id, isAdmin: true)
        #expect(ann.departmentID == sales.id && ann.isAdmin && ann.active)
        #expect(try await team.departments(of: shop.id) == [sales])
    }

    @Test func anotherBusinesssAgentIsNotFoundWhenChanged() async throws {
        let ports = try await FakePorts.make()
        let team = TeamService(directoryStore: ports.store, hasher: ports.hasher)
        let shop = try await ports.business()
        let stranger = try await ports.agent(of: try await ports.business(name: "Other").id)
        await #expect(throws: ChatError.agentNotFound) { try await team.setAgentActive(stranger.id, of: shop.id, active: false) }
        await #expect(throws: ChatError.agentNotFound) { try await team.setAgentAdmin(stranger.id, of: shop.id, isAdmin: true) }
        await #expect(throws: ChatError.agentNotFound) { try await team.agent(stranger.id, of: shop.id) }
        #expect(try await ports.store.agent(stranger.id) == stranger)

        let mine = try await ports.agent(of: shop.id)
        #expect(try await team.setAgentActive(mine.id, of: shop.id, active: false).active == false)
        #expect(try await team.setAgentAdmin(mine.id, of: shop.id, isAdmin: true).isAdmin)
        let stored = try await ports.store.agent(mine.id)
        #expect(stored?.active == false && stored?.isAdmin == true)
    }

    @Test func aNewBusinessHasItsOwnSecretAndCheckedOrigins() async throws {
        let ports = try await FakePorts.make()
        let team = TeamService(directoryStore: ports.store, hasher: ports.hasher)
        await #expect(throws: ChatError.self) {
            try await team.createBusiness(name: "Shop", allowedOrigins: ["not an origin"], allowUnverifiedCustomerIDs: false)
        }
        #expect(try await team.businesses().isEmpty)
        let one = try await team.createBusiness(name: "Shop", allowedOrigins: ["https://Shop.example/"], allowUnverifiedCustomerIDs: false)
        let two = try await team.createBusiness(name: "Shop 2", allowedOrigins: [], allowUnverifiedCustomerIDs: true, autoAssign: true)
        #expect(one.allowedOrigins == ["https://shop.example"])
        #expect(one.identitySecret.count == 64 && one.identitySecret != two.identitySecret)
        #expect(try await team.businesses().map(\.id) == [one.id, two.id])
    }

    @Test func anAgentsNameIsNotBlank() async throws {
        let ports = try await FakePorts.make()
        let team = TeamService(directoryStore: ports.store, hasher: ports.hasher)
        let shop = try await ports.business()
        await #expect(throws: ChatError.invalid("name", "This field may not be blank.")) {
            try await team.createAgent(business: shop.id, email: "ann@shop.example", password: "correct horse", name: "   ")
        }
    }
}
