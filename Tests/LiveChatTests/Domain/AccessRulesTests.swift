import Foundation
import Testing
@testable import ChatDomain

/// `AccessService` (logins, tokens, who a token is) and `KeyService`, on the fakes and the real
/// token service.
@Suite("Rules on fakes: access and keys", .timeLimit(.minutes(3)))
struct AccessRulesTests {
    @Test func aLoginNeedsTheRightPasswordOfAnActiveAgent() async throws {
        let ports = try await FakePorts.make()
        let access = ports.chat().access
        let shop = try await ports.business()
        let ann = try await ports.agent(of: shop.id, email: "ann@shop.example", password: "correct horse")
        _ = try await ports.agent(of: shop.id, email: "gone@shop.example", password: "correct horse", active: false)
        await #expect(throws: ChatError.invalidCredentials) { try await access.login(email: "ann@shop.example", password: "wrong", from: "10.0.0.1") }
        await #expect(throws: ChatError.invalidCredentials) { try await access.login(email: "who@shop.example", password: "x", from: "10.0.0.1") }
        await #expect(throws: ChatError.agentDeactivated) {
            try await access.login(email: "gone@shop.example", password: "correct horse", from: "10.0.0.1")
        }
        let (agent, token) = try await access.login(email: "ANN@shop.example", password: "correct horse", from: "10.0.0.1")
        #expect(agent.id == ann.id)
        let claims = try #require(await access.claims(of: token))
        #expect(claims.role == .agent && claims.subject == ann.id.lowercasedText && claims.business == shop.id && claims.tokenID != nil)
        #expect(try await access.identity(for: token) == .agent(id: ann.id, business: shop.id))
        // A success forgets the email's failures, not the address's.
        #expect(try await ports.store.failures(keys: ["email:ann@shop.example", "ip:10.0.0.1"], since: .distantPast).keys.sorted()
            == ["ip:10.0.0.1"])
    }

    @Test func fiveFailuresForAnEmailRefuseItsLoginsForAWhile() async throws {
        let ports = try await FakePorts.make()
        let access = ports.chat().access
        let shop = try await ports.business()
        _ = try await ports.agent(of: shop.id, email: "ann@shop.example", password: "correct horse")
        for n in 1...5 {
            await #expect(throws: ChatError.invalidCredentials) {
                try await access.login(email: "ann@shop.example", password: "guess \(n)", from: "10.0.0.\(n)")
            }
        }
        let error = await #expect(throws: ChatError.self) {
            try await access.login(email: "ann@shop.example", password: "correct horse", from: "10.0.0.9")
        }
        guard case .tooManyAttempts(let wait)? = error else {
            Issue.record("expected tooManyAttempts, got \(String(describing: error))")
            return
        }
        #expect((890...900).contains(wait))
    }

    @Test func aLogoutRevokesTheTokenItNamesAndOnlyAnAgentsTokenWithAJTI() async throws {
        let ports = try await FakePorts.make()
        let access = ports.chat().access
        let shop = try await ports.business()
        _ = try await ports.agent(of: shop.id, email: "ann@shop.example", password: "correct horse")
        let (_, token) = try await access.login(email: "ann@shop.example", password: "correct horse", from: "10.0.0.1")
        let claims = try #require(await access.claims(of: token))
        let visitor = TokenClaims(subject: UUID().lowercasedText, role: .visitor, business: shop.id, expiresAt: Date().addingTimeInterval(60), tokenID: "v1")
        await #expect(throws: ChatError.forbidden) { try await access.logout(visitor) }
        let bare = TokenClaims(subject: claims.subject, role: .agent, business: shop.id, expiresAt: claims.expiresAt)
        await #expect(throws: ChatError.tokenNotRevocable) { try await access.logout(bare) }
        try await access.logout(claims)
        await #expect(throws: ChatError.unauthenticated) { try await access.identity(for: token) }
    }

    @Test func anAgentTokenProvisionsItsAgentOnceUnlessDeactivatedOrOfAnotherBusiness() async throws {
        let ports = try await FakePorts.make()
        let access = ports.chat().access
        let shop = try await ports.business()
        let newcomer = UUID()
        let token = try await ports.tokens.mint(role: .agent, subject: newcomer, business: shop.id, lifetime: 600)
        #expect(try await access.identity(for: token) == .agent(id: newcomer, business: shop.id))
        let provisioned = try await ports.store.agent(newcomer)
        #expect(provisioned?.businessID == shop.id && provisioned?.email == nil && provisioned?.name == "Agent")

        let other = try await ports.business(name: "Other")
        let elsewhere = try await ports.tokens.mint(role: .agent, subject: newcomer, business: other.id, lifetime: 600)
        await #expect(throws: ChatError.unauthenticated) { try await access.identity(for: elsewhere) }
        try await ports.store.setActive(agent: newcomer, false)
        await #expect(throws: ChatError.unauthenticated) { try await access.identity(for: token) }
        let nowhere = try await ports.tokens.mint(role: .agent, subject: UUID(), business: UUID(), lifetime: 600)
        await #expect(throws: ChatError.unauthenticated) { try await access.identity(for: nowhere) }
        await #expect(throws: ChatError.unauthenticated) { try await access.identity(for: "not.a.token") }
    }

    @Test func aKeyBelongsToAnExistingBusinessAndIsRevokedOnceByItsBusiness() async throws {
        let ports = try await FakePorts.make()
        let keys = ports.chat().keys
        let shop = try await ports.business()
        let other = try await ports.business(name: "Other")
        await #expect(throws: ChatError.businessNotFound) { try await keys.createKey(for: UUID(), jwk: nil) }
        await #expect(throws: ChatError.businessNotFound) { try await keys.keys(of: UUID()) }
        let error = await #expect(throws: ChatError.self) { try await keys.createKey(for: shop.id, jwk: #"{"kty":"oct","k":"c2VjcmV0"}"#) }
        #expect(error?.fields.keys.sorted() == ["jwk"])

        let key = try await keys.createKey(for: shop.id, jwk: nil)
        #expect(key.kid.hasPrefix("bk_") && key.algorithm == "HS256" && key.businessID == shop.id)
        #expect(try await keys.keys(of: shop.id) == [key])
        await #expect(throws: ChatError.keyNotFound) { try await keys.revokeKey(key.kid, of: other.id) }
        try await keys.revokeKey(key.kid, of: shop.id)
        await #expect(throws: ChatError.keyNotFound) { try await keys.revokeKey(key.kid, of: shop.id) }
        #expect(try await keys.keys(of: shop.id).isEmpty)
        #expect(try await ports.store.key(key.kid)?.revokedAt != nil)
    }
}
