import Foundation
import Testing
@testable import ChatDomain

/// `PrivacyService`: a visitor's export and erasure, and the retention sweep.
@Suite("Rules on fakes: privacy", .timeLimit(.minutes(3)))
struct PrivacyRulesTests {
    /// A customer with an ended, rated session (a message, a note, a file) and an active one.
    private func customer(_ ports: FakePorts, of shop: Business) async throws -> (Visitor, ended: ChatSession, active: ChatSession, ChatDomain.Attachment) {
        let visitor = try await ports.visitor(of: shop.id, externalCustomerID: "c-1", name: "Ann")
        let agent = try await ports.agent(of: shop.id)
        let ended = try await ports.session(of: shop.id, visitor: visitor, startedAt: WireTime.now().addingTimeInterval(-3600))
        let file = try await ports.attachment(in: ended)
        ports.log.append(ports.text("my address is …", in: ended, by: .visitor(id: visitor.id, business: shop.id)))
        ports.log.append(PendingMessage(sessionID: ended.id, businessID: shop.id, body: .note("VIP"), senderID: agent.id, senderType: "agent",
                                        clientID: nil, origin: nil))
        _ = try await ports.log.end(session: ended.id)
        try await ports.store.insert(Rating(sessionID: ended.id, businessID: shop.id, score: 5, comment: "great"))
        let active = try await ports.session(of: shop.id, visitor: visitor)
        ports.log.append(ports.text("hello again", in: active, by: .visitor(id: visitor.id, business: shop.id)))
        return (visitor, ended, active, file)
    }

    @Test func aVisitorIsFoundByIdOrExternalIDInItsBusinessOnly() async throws {
        let ports = try await FakePorts.make()
        let privacy = ports.chat().privacy
        let shop = try await ports.business()
        let other = try await ports.business(name: "Other")
        let visitor = try await ports.visitor(of: shop.id, externalCustomerID: "c-1")
        #expect(try await privacy.visitor(visitor.id, externalCustomerID: nil, in: shop.id) == visitor)
        #expect(try await privacy.visitor(nil, externalCustomerID: "c-1", in: shop.id) == visitor)
        await #expect(throws: ChatError.visitorNotFound) { try await privacy.visitor(visitor.id, externalCustomerID: nil, in: other.id) }
        await #expect(throws: ChatError.visitorNotFound) { try await privacy.visitor(nil, externalCustomerID: "c-1", in: other.id) }
        await #expect(throws: ChatError.visitorNotFound) { try await privacy.visitor(UUID(), externalCustomerID: nil, in: shop.id) }
        await #expect(throws: ChatError.invalid("external_customer_id", "This field is required.")) {
            try await privacy.visitor(nil, externalCustomerID: "", in: shop.id)
        }
    }

    @Test func anExportHoldsEverySessionWithoutTheNotes() async throws {
        let ports = try await FakePorts.make()
        let shop = try await ports.business()
        let (visitor, ended, active, file) = try await customer(ports, of: shop)
        let export = try await ports.chat().privacy.export(visitor)
        #expect(export.visitor == visitor)
        #expect(export.sessions.map(\.session.id) == [ended.id, active.id])
        #expect(export.sessions[0].messages.map(\.content) == ["my address is …"])
        #expect(export.sessions[0].attachments == [file])
        #expect(export.sessions[0].rating?.score == 5 && export.sessions[1].rating == nil)
        #expect(export.sessions[1].messages.map(\.content) == ["hello again"])
    }

    @Test func anErasureEndsTheActiveSessionRemovesEverythingAndRefusesTheVisitorsTokens() async throws {
        let ports = try await FakePorts.make()
        let chat = ports.chat()
        let shop = try await ports.business()
        let (visitor, ended, active, file) = try await customer(ports, of: shop)
        let cursorsBefore = try await ports.store.latestCursor(of: shop.id)
        try await chat.privacy.erase(visitor)

        #expect(ports.log.committedTypes.last == "session_ended")  // the active one, ended first (its sockets close)
        #expect(try await ports.store.visitor(visitor.id) == nil)
        #expect(try await ports.store.sessions(ofVisitor: visitor.id).isEmpty)
        #expect(try await ports.store.session(ended.id) == nil)
        #expect(try await ports.store.session(active.id) == nil)
        #expect(try await ports.store.rating(of: ended.id) == nil)
        #expect(try await ports.store.attachment(storedName: file.storedName) == nil)
        #expect(ports.files.removed == [file.storedName] && ports.files.storedNames.isEmpty)
        #expect(try await ports.store.latestCursor(of: shop.id) == cursorsBefore + 1)
        #expect(try await ports.store.isRevoked(anyOf: [PrivacyService.erasedVisitorKey(visitor.id)]))
        let token = try await ports.tokens.mint(role: .visitor, subject: visitor.id, business: shop.id, lifetime: 600)
        await #expect(throws: ChatError.unauthenticated) { try await chat.access.identity(for: token) }
    }

    @Test func theRetentionSweepErasesOnlyEndedSessionsOlderThanTheBusinessKeepsThem() async throws {
        let clock = FakeClock(Date(timeIntervalSince1970: 1_700_000_000))
        let ports = try await FakePorts.make(clock: { clock.now })
        let privacy = ports.chat().privacy
        let keeping = try await ports.business(name: "Keeps 7 days", retentionDays: 7)
        let forever = try await ports.business(name: "Keeps all")
        let old = try await ports.session(of: keeping.id)
        let oldForever = try await ports.session(of: forever.id)
        _ = try await ports.log.end(session: old.id)
        _ = try await ports.log.end(session: oldForever.id)
        clock.advance(by: 6 * 86_400)
        let recent = try await ports.session(of: keeping.id)
        _ = try await ports.log.end(session: recent.id)
        let open = try await ports.session(of: keeping.id)

        let now = clock.now.addingTimeInterval(2 * 86_400)  // 8 days after the first end, 2 after the second
        #expect(try await privacy.sweepRetention(now: now) == 1)
        #expect(try await ports.store.session(old.id) == nil)
        #expect(try await ports.store.session(recent.id) != nil)
        #expect(try await ports.store.session(open.id) != nil)
        #expect(try await ports.store.session(oldForever.id) != nil)
        #expect(try await privacy.sweepRetention(now: now) == 0)
    }
}
