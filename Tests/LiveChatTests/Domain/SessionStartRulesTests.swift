import Foundation
import Testing
@testable import ChatDomain

/// `SessionService.startSession` on the fakes: who the visitor is, which session it gets.
@Suite("Rules on fakes: starting a session", .timeLimit(.minutes(3)))
struct SessionStartRulesTests {
    private func request(_ business: UUID, department: UUID? = nil, external: String? = nil, customerToken: String? = nil,
                         caller: Identity? = nil, origin: String? = nil,
                         profile: VisitorProfile.Answers = .init()) -> SessionService.StartRequest {
        SessionService.StartRequest(business: business, department: department, externalCustomerID: external, customerToken: customerToken,
                                    caller: caller, origin: origin, profile: profile)
    }

    @Test func aNewGuestGetsANewSessionItsEventAndAVisitorToken() async throws {
        let ports = try await FakePorts.make()
        let chat = ports.chat()
        let shop = try await ports.business()
        let started = try await chat.sessions.startSession(request(shop.id))

        #expect(started.created)
        #expect(started.session.businessID == shop.id && started.session.visitorID == started.visitor && started.session.isActive)
        #expect(try await ports.store.session(started.session.id) == started.session)
        #expect(try await ports.store.visitor(started.visitor)?.externalCustomerID == nil)
        let events = ports.log.feedDrafts(ofType: "session_started")
        #expect(events.map(\.cursor) == [1])
        #expect(object(of: events[0].draft)["session_id"] as? String == started.session.id.lowercasedText)
        guard case .valid(let claims) = await ports.tokens.verify(started.token) else {
            Issue.record("the visitor token does not verify")
            return
        }
        #expect(claims.role == .visitor && claims.subject == started.visitor.lowercasedText && claims.business == shop.id)
    }

    @Test func aReturningVisitorKeepsItsActiveSession() async throws {
        let ports = try await FakePorts.make()
        let chat = ports.chat()
        let shop = try await ports.business()
        let first = try await chat.sessions.startSession(request(shop.id))
        let again = try await chat.sessions.startSession(request(shop.id, caller: .visitor(id: first.visitor, business: shop.id)))
        #expect(!again.created)
        #expect(again.session == first.session && again.visitor == first.visitor)
        #expect(ports.log.feedDrafts(ofType: "session_started").count == 1)

        // Once it ended, the same visitor starts a new one.
        _ = try await ports.log.end(session: first.session.id)
        let next = try await chat.sessions.startSession(request(shop.id, caller: .visitor(id: first.visitor, business: shop.id)))
        #expect(next.created && next.session.id != first.session.id && next.visitor == first.visitor)
    }

    @Test func anUnknownBusinessADepartmentOfAnotherBusinessAndAForeignOriginAreRefused() async throws {
        let ports = try await FakePorts.make()
        let chat = ports.chat()
        let shop = try await ports.business(allowedOrigins: ["https://shop.example"])
        let other = try await ports.business(name: "Other")
        let theirs = try await ports.department(of: other.id)
        await #expect(throws: ChatError.businessNotFound) { try await chat.sessions.startSession(request(UUID())) }
        await #expect(throws: ChatError.departmentNotFound) {
            try await chat.sessions.startSession(request(shop.id, department: theirs.id, origin: "https://shop.example"))
        }
        await #expect(throws: ChatError.originNotAllowed) { try await chat.sessions.startSession(request(shop.id, origin: "https://evil.example")) }
        #expect(try await ports.store.sessions(matching: InboxQuery(business: shop.id), limit: 10).isEmpty)

        let ours = try await ports.department(of: shop.id)
        let started = try await chat.sessions.startSession(request(shop.id, department: ours.id, origin: "https://shop.example"))
        #expect(started.session.departmentID == ours.id)
    }

    @Test func aRequiredPrechatFormNamesEveryProblemAtOnce() async throws {
        let ports = try await FakePorts.make()
        let chat = ports.chat()
        let shop = try await ports.business(prechat: Prechat(name: .required, email: .required))
        await #expect(throws: ChatError.invalidFields(["name": ["This field is required."], "email": ["This field is required."]])) {
            try await chat.sessions.startSession(request(shop.id))
        }
        await #expect(throws: ChatError.invalidFields(["name": ["This field may not be blank."], "email": ["Enter a valid email address."]])) {
            try await chat.sessions.startSession(request(shop.id, profile: .init(rawName: "   ", rawEmail: "not-an-email")))
        }
        #expect(ports.log.committed.isEmpty)

        let started = try await chat.sessions.startSession(request(shop.id, profile: .init(rawName: " Ann ", rawEmail: " Ann@Example.COM ")))
        let visitor = try await ports.store.visitor(started.visitor)
        #expect(visitor?.name == "Ann" && visitor?.email == "ann@example.com")
    }

    @Test func aReturningVisitorsStoredAnswersCountAndNewOnesUpdateIt() async throws {
        let ports = try await FakePorts.make()
        let chat = ports.chat()
        let shop = try await ports.business(prechat: Prechat(name: .required, email: .optional))
        let first = try await chat.sessions.startSession(request(shop.id, profile: .init(name: "Ann")))
        let caller = Identity.visitor(id: first.visitor, business: shop.id)
        // No answer this time: the stored name still fills the required field.
        let again = try await chat.sessions.startSession(request(shop.id, caller: caller))
        #expect(again.session == first.session)
        _ = try await chat.sessions.startSession(request(shop.id, caller: caller, profile: .init(name: "Ann B.", email: "ann@b.example")))
        let visitor = try await ports.store.visitor(first.visitor)
        #expect(visitor?.name == "Ann B." && visitor?.email == "ann@b.example")
    }

    @Test func anExternalCustomerIDMustBeProvenUnlessTheBusinessAllowsIt() async throws {
        let ports = try await FakePorts.make()
        let chat = ports.chat()
        let strict = try await ports.business(name: "Strict")
        await #expect(throws: ChatError.customerIDUnproven) { try await chat.sessions.startSession(request(strict.id, external: "c-42")) }

        let open = try await ports.business(name: "Open", allowUnverifiedCustomerIDs: true)
        let first = try await chat.sessions.startSession(request(open.id, external: "c-42"))
        let second = try await chat.sessions.startSession(request(open.id, external: "c-42"))
        #expect(first.created && !second.created)
        #expect(second.visitor == first.visitor && second.session == first.session)
        #expect(try await ports.store.visitor(business: open.id, externalCustomerID: "c-42")?.id == first.visitor)
    }

    @Test func aCustomerTokenProvesItsCustomerAndNoOther() async throws {
        let ports = try await FakePorts.make()
        let chat = ports.chat()
        let shop = try await ports.business()
        let token = try CustomerToken.sign(sub: "c-7", secret: shop.identitySecret)
        let started = try await chat.sessions.startSession(request(shop.id, external: "c-7", customerToken: token))
        #expect(try await ports.store.visitor(started.visitor)?.externalCustomerID == "c-7")
        await #expect(throws: ChatError.customerTokenMismatch) {
            try await chat.sessions.startSession(request(shop.id, external: "c-8", customerToken: token))
        }
        let forged = try CustomerToken.sign(sub: "c-7", secret: "not-the-identity-secret-of-this-shop")
        await #expect(throws: ChatError.customerTokenInvalid) { try await chat.sessions.startSession(request(shop.id, customerToken: forged)) }
        // A guest's token is no proof of a customer id.
        let guest = try await chat.sessions.startSession(request(shop.id))
        await #expect(throws: ChatError.customerIDUnproven) {
            try await chat.sessions.startSession(request(shop.id, external: "c-7", caller: .visitor(id: guest.visitor, business: shop.id)))
        }
    }

    @Test func aBusinessThatAutoAssignsDealsTheNewChatToAnOnlineAgent() async throws {
        let ports = try await FakePorts.make()
        let chat = ports.chat()
        let shop = try await ports.business(autoAssign: true)
        let offline = try await ports.agent(of: shop.id, name: "Offline")
        let online = try await ports.agent(of: shop.id, name: "Online")
        ports.store.markOnlineNow(agent: online.id, business: shop.id)
        let started = try await chat.sessions.startSession(request(shop.id))
        #expect(try await ports.store.session(started.session.id)?.assignedAgentID == online.id)
        #expect(ports.log.committedTypes == ["session_started", "session_assigned"])
        let assigned = object(of: ports.log.feedDrafts(ofType: "session_assigned")[0].draft)
        #expect(assigned["agent_id"] as? String == online.id.lowercasedText && assigned["agent_name"] as? String == "Online")
        #expect(offline.id != online.id)
    }

    /// The writer, with another start of the same new customer committed just before this one's.
    private struct RacedLog: EventLog {
        let inner: InMemoryEventLog
        func append(_ message: PendingMessage) { inner.append(message) }
        func end(session: UUID) async throws -> Date? { try await inner.end(session: session) }
        func publish(_ draft: FeedDraft) async throws -> Int { try await inner.publish(draft) }
        func flush() async { await inner.flush() }
        var isFailing: Bool { inner.isFailing }
        func open(_ opening: SessionOpening) async throws -> SessionOpened {
            if let customer = opening.newVisitor, customer.externalCustomerID != nil,
               try await inner.store.visitor(business: customer.businessID, externalCustomerID: customer.externalCustomerID ?? "") == nil {
                let rival = Visitor(businessID: customer.businessID, externalCustomerID: customer.externalCustomerID)
                let session = ChatSession(businessID: customer.businessID, departmentID: nil, visitorID: rival.id)
                _ = try await inner.open(try SessionService.opening(session, visitor: rival, isStored: false, department: nil))
            }
            return try await inner.open(opening)
        }
    }

    @Test func aNewCustomersStartThatLostARaceGetsTheWinnersVisitorAndSession() async throws {
        let ports = try await FakePorts.make()
        let log = RacedLog(inner: ports.log)
        let presence = Presence(log: log, store: ports.store, grace: .seconds(1), heartbeat: .seconds(10))
        let sessions = SessionService(
            directoryStore: ports.store, sessionStore: ports.store, visitorStore: ports.store, log: log, tokens: ports.tokens,
            settings: FakePorts.settings,
            assignment: AssignmentService(directoryStore: ports.store, sessionStore: ports.store, log: log, presence: presence))
        let shop = try await ports.business(allowUnverifiedCustomerIDs: true)
        let started = try await sessions.startSession(request(shop.id, external: "c-9"))
        let winner = try #require(try await ports.store.visitor(business: shop.id, externalCustomerID: "c-9"))
        #expect(started.visitor == winner.id && !started.created)
        #expect(try await ports.store.activeSession(visitor: winner.id, business: shop.id) == started.session)
        #expect(ports.log.feedDrafts(ofType: "session_started").count == 1)
    }
}
