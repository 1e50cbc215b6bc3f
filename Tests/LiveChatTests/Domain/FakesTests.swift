import Foundation
import Testing
@testable import ChatDomain

/// The fakes of `Fakes/` behave as the real store and writer do (orders, uniqueness, numbering,
/// repeats): the rules tested on them are tested on what the server runs.
@Suite("Fakes behave like the real store", .timeLimit(.minutes(3)))
struct FakesTests {
    @Test func directoryRowsReadBackOldestFirstAndAnEmailIsTakenOnce() async throws {
        let ports = try await FakePorts.make()
        let shop = try await ports.business(name: "Shop")
        let first = try await ports.agent(of: shop.id, email: "ann@shop.example", name: "Ann")
        let second = try await ports.agent(of: shop.id, email: "bob@shop.example", name: "Bob")
        #expect(try await ports.store.business(shop.id) == shop)
        #expect(try await ports.store.agents(of: shop.id).map(\.id) == [first.id, second.id])
        #expect(try await ports.store.agent(email: "bob@shop.example")?.id == second.id)

        let other = try await ports.business(name: "Other")
        await #expect(throws: FakeStoreError.uniqueViolation("agents.email")) {
            try await ports.store.insert(Agent(businessID: other.id, email: "ann@shop.example", passwordHash: nil, name: "Ann 2"))
        }
        await #expect(throws: FakeStoreError.foreignKeyViolation("business_id")) {
            try await ports.store.insert(Agent(businessID: UUID(), email: "new@shop.example", passwordHash: nil, name: "Nobody's"))
        }
        // Agents without an email (provisioned from a token) are not "the same email".
        try await ports.store.insert(Agent(businessID: shop.id, email: nil, passwordHash: nil, name: "SSO 1"))
        try await ports.store.insert(Agent(businessID: shop.id, email: nil, passwordHash: nil, name: "SSO 2"))
        #expect(try await ports.store.agents(of: shop.id).count == 4)
    }

    @Test func aVisitorHasOneActiveSessionAndAnExternalIDOncePerBusiness() async throws {
        let ports = try await FakePorts.make()
        let shop = try await ports.business()
        let visitor = try await ports.visitor(of: shop.id, externalCustomerID: "c-1")
        let session = try await ports.session(of: shop.id, visitor: visitor)
        await #expect(throws: FakeStoreError.uniqueViolation("one_active_session_per_visitor")) {
            try await ports.store.insert(ChatSession(businessID: shop.id, departmentID: nil, visitorID: visitor.id))
        }
        // Through the writer, a second opening finds the first session.
        #expect(try await ports.session(of: shop.id, visitor: visitor) == session)
        #expect(try await ports.log.end(session: session.id) != nil)
        let next = try await ports.session(of: shop.id, visitor: visitor)
        #expect(next.id != session.id)
        await #expect(throws: FakeStoreError.uniqueViolation("visitors.business_id_external_customer_id")) {
            try await ports.visitor(of: shop.id, externalCustomerID: "c-1")
        }
        let other = try await ports.business(name: "Other")
        _ = try await ports.visitor(of: other.id, externalCustomerID: "c-1")
    }

    @Test func theLogNumbersMessagesPerSessionAndFeedEventsPerBusiness() async throws {
        let ports = try await FakePorts.make()
        let shop = try await ports.business()
        let one = try await ports.session(of: shop.id)
        let two = try await ports.session(of: shop.id)
        let visitor = Identity.visitor(id: one.visitorID, business: shop.id)
        for text in ["a", "b", "c"] { ports.log.append(ports.text(text, in: one, by: visitor)) }
        ports.log.append(ports.text("x", in: two, by: .visitor(id: two.visitorID, business: shop.id)))

        let stored = try await ports.store.messages(of: one.id, after: 0, limit: nil, includingPrivate: false)
        #expect(stored.map(\.seq) == [1, 2, 3])
        #expect(stored.map(\.content) == ["a", "b", "c"])
        #expect(try await ports.store.messages(of: two.id, after: 0, limit: nil, includingPrivate: false).map(\.seq) == [1])
        #expect(try await ports.store.lastSeq(of: one.id) == 3)
        #expect(try await ports.store.messages(of: one.id, after: 1, limit: 1, includingPrivate: false).map(\.content) == ["b"])
        // Two session_started, then four messages: cursors 1 … 6, handed out in that order.
        #expect(try await ports.store.latestCursor(of: shop.id) == 6)
        #expect(ports.log.committedTypes == ["session_started", "session_started", "message", "message", "message", "message"])
        let cursors = ports.log.committed.compactMap { if case .message(let stored) = $0 { stored.cursor } else { nil } }
        #expect(cursors == [3, 4, 5, 6])
        let other = try await ports.business(name: "Other")
        _ = try await ports.session(of: other.id)
        #expect(try await ports.store.latestCursor(of: other.id) == 1)
    }

    @Test func aRepeatedClientIDIsAnsweredWithTheStoredMessage() async throws {
        let ports = try await FakePorts.make()
        let shop = try await ports.business()
        let session = try await ports.session(of: shop.id)
        let visitor = Identity.visitor(id: session.visitorID, business: shop.id)
        let first = RecordingOrigin(), again = RecordingOrigin()
        ports.log.append(ports.text("hello", in: session, by: visitor, clientID: "c1", origin: first))
        ports.log.append(ports.text("hello (resent)", in: session, by: visitor, clientID: "c1", origin: again))

        let stored = try await ports.store.messages(of: session.id, after: 0, limit: nil, includingPrivate: false)
        #expect(stored.count == 1)
        #expect(first.repeated.isEmpty && first.refused.isEmpty)
        #expect(again.repeated == stored)
        #expect(ports.log.storedMessages == stored)
        // The same client_id from another sender is another message.
        let agent = try await ports.agent(of: shop.id)
        ports.log.append(ports.text("hi", in: session, by: .agent(id: agent.id, business: shop.id), clientID: "c1"))
        #expect(try await ports.store.lastSeq(of: session.id) == 2)
    }

    @Test func aGatheredBatchAnswersARepeatWithinItOnceTheFirstIsNumbered() async throws {
        let ports = try await FakePorts.make(gathersBatches: true)
        let shop = try await ports.business()
        let session = try await ports.session(of: shop.id)
        let visitor = Identity.visitor(id: session.visitorID, business: shop.id)
        let origins = [RecordingOrigin(), RecordingOrigin(), RecordingOrigin()]
        ports.log.append(ports.text("one", in: session, by: visitor, clientID: "k", origin: origins[0]))
        ports.log.append(ports.text("two", in: session, by: visitor, origin: origins[1]))
        ports.log.append(ports.text("one again", in: session, by: visitor, clientID: "k", origin: origins[2]))
        #expect(try await ports.store.lastSeq(of: session.id) == 0)  // gathered, not stored yet
        await ports.log.flush()
        let stored = try await ports.store.messages(of: session.id, after: 0, limit: nil, includingPrivate: false)
        #expect(stored.map(\.content) == ["one", "two"])
        #expect(stored.map(\.seq) == [1, 2])
        #expect(origins[2].repeated.map(\.id) == [stored[0].id])
    }

    @Test func anEndedSessionRefusesMessagesAndEndsOnce() async throws {
        let ports = try await FakePorts.make()
        let shop = try await ports.business()
        let session = try await ports.session(of: shop.id)
        let ended = try await ports.log.end(session: session.id)
        #expect(ended != nil)
        #expect(try await ports.log.end(session: session.id) == nil)
        #expect(try await ports.log.end(session: UUID()) == nil)
        #expect(try await ports.store.session(session.id)?.endedAt == ended)
        let origin = RecordingOrigin()
        ports.log.append(ports.text("late", in: session, by: .visitor(id: session.visitorID, business: shop.id), origin: origin))
        #expect(origin.refused == [.sessionEnded])
        #expect(try await ports.store.lastSeq(of: session.id) == 0)
        #expect(ports.store.feedTypes(of: shop.id) == ["session_started", "session_ended"])
    }

    @Test func ratingsCannedShortcutsAndKeysRefuseTheirRepeats() async throws {
        let ports = try await FakePorts.make()
        let shop = try await ports.business()
        let session = try await ports.session(of: shop.id)
        try await ports.store.insert(Rating(sessionID: session.id, businessID: shop.id, score: 4, comment: nil))
        await #expect(throws: FakeStoreError.uniqueViolation("session_ratings.session_id")) {
            try await ports.store.insert(Rating(sessionID: session.id, businessID: shop.id, score: 1, comment: nil))
        }
        #expect(try await ports.store.rating(of: session.id)?.score == 4)

        let greet = CannedResponse(businessID: shop.id, shortcut: "greet", content: "Hello! How can I help?")
        let bye = CannedResponse(businessID: shop.id, shortcut: "bye", content: "Goodbye")
        try await ports.store.insert(greet)
        try await ports.store.insert(bye)
        await #expect(throws: FakeStoreError.uniqueViolation("canned_responses.business_id_shortcut")) {
            try await ports.store.insert(CannedResponse(businessID: shop.id, shortcut: "greet", content: "Hi"))
        }
        var renamed = bye
        renamed.shortcut = "greet"
        await #expect(throws: FakeStoreError.uniqueViolation("canned_responses.business_id_shortcut")) { try await ports.store.update(renamed) }
        #expect(try await ports.store.cannedResponses(of: shop.id, matching: nil).map(\.shortcut) == ["bye", "greet"])
        #expect(try await ports.store.cannedResponses(of: shop.id, matching: "HELP").map(\.shortcut) == ["greet"])

        try await ports.store.insert(BusinessKey(kid: "bk_1", businessID: shop.id, material: .hs256(secret: "s")))
        await #expect(throws: FakeStoreError.uniqueViolation("business_keys.kid")) {
            try await ports.store.insert(BusinessKey(kid: "bk_1", businessID: shop.id, material: .hs256(secret: "t")))
        }
        #expect(try await ports.store.revokeKey("bk_1", of: shop.id, at: Date()))
        #expect(try await ports.store.revokeKey("bk_1", of: shop.id, at: Date()) == false)
        #expect(try await ports.store.keys(of: shop.id).isEmpty)
    }

    @Test func searchIndexesStoredMessagesAndErasureKeepsFeedCursors() async throws {
        let ports = try await FakePorts.make()
        let shop = try await ports.business()
        let session = try await ports.session(of: shop.id)
        let visitor = Identity.visitor(id: session.visitorID, business: shop.id)
        ports.log.append(ports.text("Où est ma commande ?", in: session, by: visitor))
        ports.log.append(ports.text("Order shipped", in: session, by: visitor))
        #expect(try await ports.store.indexPending(limit: 100) == 3)
        #expect(try await ports.store.indexPending(limit: 100) == 0)
        #expect(try await ports.store.search(business: shop.id, words: ["comm"], before: nil, limit: 10).map(\.entry.content)
            == ["Où est ma commande ?"])
        #expect(try await ports.store.search(business: shop.id, words: ["ou", "ma"], before: nil, limit: 10).count == 1)
        #expect(try await ports.store.search(business: UUID(), words: ["order"], before: nil, limit: 10).isEmpty)

        let latest = try await ports.store.latestCursor(of: shop.id)
        try await ports.store.erase(sessions: [session.id], of: shop.id)
        #expect(try await ports.store.session(session.id) == nil)
        #expect(try await ports.store.lastSeq(of: session.id) == 0)
        #expect(try await ports.store.search(business: shop.id, words: ["order"], before: nil, limit: 10).isEmpty)
        #expect(try await ports.store.latestCursor(of: shop.id) == latest)
        #expect(try await ports.store.feedPayload(of: shop.id, cursor: 2) == #"{"type":"erased"}"#)
    }

    @Test func theSmallFakesKeepFilesHashAndRefuseHosts() async throws {
        let ports = try await FakePorts.make()
        let name = try await ports.files.keep(try ports.files.upload([1, 2, 3]), kind: .pdf)
        #expect(name.hasSuffix(".pdf") && name.count == 36)
        guard case .chunks(_, let size, let read)? = try await ports.files.open(storedName: name) else {
            Issue.record("no file")
            return
        }
        #expect(size == 3)
        #expect(try await read(0) == [1, 2, 3])
        await ports.files.remove(storedName: name)
        #expect(try await ports.files.open(storedName: name) == nil)

        let hash = try await ports.hasher.hash("pw")
        #expect(await ports.hasher.verify("pw", against: hash))
        #expect(await ports.hasher.verify("other", against: hash) == false)

        await #expect(throws: ChatError.self) { try await ports.sender.checkDestination("http://localhost:8080/hook") }
        try await ports.sender.checkDestination("https://hooks.shop.example/in")
        #expect(await ports.sender.post("{}", to: "https://hooks.shop.example/in", secret: "s", at: Date()) == .status(200))
        #expect(ports.sender.posts.count == 1)
    }
}
