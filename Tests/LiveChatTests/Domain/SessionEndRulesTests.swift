import Foundation
import Testing
@testable import ChatDomain

/// `SessionAccess`: who may act on a session, and ending it.
@Suite("Rules on fakes: ending a session", .timeLimit(.minutes(3)))
struct SessionEndRulesTests {
    @Test func theVisitorEndsItsSessionOnceAndTheSecondEndAnswersTheSameTime() async throws {
        let clock = FakeClock(Date(timeIntervalSince1970: 1_800_000_000))
        let ports = try await FakePorts.make(clock: { clock.now })
        let chat = ports.chat()
        let shop = try await ports.business()
        let session = try await ports.session(of: shop.id)
        let visitor = Identity.visitor(id: session.visitorID, business: shop.id)

        let ended = try await chat.sessionAccess.endSession(session.id, as: visitor)
        #expect(ended == clock.now)
        #expect(try await ports.store.session(session.id)?.endedAt == ended)
        clock.advance(by: 60)
        // Ending again changes nothing: the writer answers nil, the rule the stored time.
        #expect(try await ports.log.end(session: session.id) == nil)
        #expect(try await chat.sessionAccess.endSession(session.id, as: visitor) == ended)
        #expect(ports.log.committedTypes == ["session_started", "session_ended"])
        guard case .sessionEnded(let id, let business, let at, let cursor, _)? = ports.log.committed.last else {
            Issue.record("no session_ended event")
            return
        }
        #expect(id == session.id && business == shop.id && at == ended && cursor == 2)
    }

    @Test func anAgentOfTheBusinessMayEndItOthersMayNot() async throws {
        let ports = try await FakePorts.make()
        let chat = ports.chat()
        let shop = try await ports.business()
        let other = try await ports.business(name: "Other")
        let session = try await ports.session(of: shop.id)
        let stranger = try await ports.session(of: shop.id)

        await #expect(throws: ChatError.forbidden) {
            try await chat.sessionAccess.endSession(session.id, as: .visitor(id: stranger.visitorID, business: shop.id))
        }
        await #expect(throws: ChatError.sessionNotFound) {
            try await chat.sessionAccess.endSession(session.id, as: .agent(id: UUID(), business: other.id))
        }
        await #expect(throws: ChatError.sessionNotFound) {
            try await chat.sessionAccess.endSession(session.id, as: .visitor(id: session.visitorID, business: other.id))
        }
        await #expect(throws: ChatError.sessionNotFound) { try await chat.sessionAccess.endSession(UUID(), as: .admin) }
        #expect(try await ports.store.session(session.id)?.isActive == true)

        let agent = try await ports.agent(of: shop.id)
        _ = try await chat.sessionAccess.endSession(session.id, as: .agent(id: agent.id, business: shop.id))
        #expect(try await ports.store.session(session.id)?.isActive == false)
        _ = try await chat.sessionAccess.endSession(stranger.id, as: .admin)
        #expect(try await ports.store.session(stranger.id)?.isActive == false)
    }

    @Test func aSessionIDFromAPathIsParsedStrictly() throws {
        let id = UUID()
        #expect(try SessionAccess.sessionID(id.lowercasedText) == id)
        #expect(try SessionAccess.sessionID(id.uuidString) == id)
        for raw in [nil, "", "not-a-uuid", id.lowercasedText + "\u{0}x", " " + id.lowercasedText] {
            #expect(throws: ChatError.sessionNotFound) { try SessionAccess.sessionID(raw) }
        }
    }
}
