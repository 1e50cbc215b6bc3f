import Foundation
import Testing
@testable import ChatDomain

/// `AssignmentService`: taking, handing over and transferring chats.
@Suite("Rules on fakes: assignment", .timeLimit(.minutes(3)))
struct AssignmentRulesTests {
    private struct Shop {
        let ports: FakePorts
        let chat: Chat
        let business: Business
        let ann: Agent
        let bob: Agent
        let session: ChatSession
    }

    private func shop() async throws -> Shop {
        let ports = try await FakePorts.make()
        let business = try await ports.business()
        return Shop(ports: ports, chat: ports.chat(), business: business, ann: try await ports.agent(of: business.id, name: "Ann"),
                    bob: try await ports.agent(of: business.id, name: "Bob"), session: try await ports.session(of: business.id))
    }

    private func caller(_ agent: Agent) -> Identity { .agent(id: agent.id, business: agent.businessID) }

    @Test func anAgentTakesAnUnassignedChatAndTheFeedHearsWhoDidIt() async throws {
        let s = try await shop()
        let assigned = try await s.chat.assignment.assign(s.session, to: s.ann.id, by: caller(s.ann))
        #expect(assigned.id == s.ann.id)
        #expect(try await s.ports.store.session(s.session.id)?.assignedAgentID == s.ann.id)
        let event = s.ports.log.feedDrafts(ofType: "session_assigned")
        #expect(event.count == 1 && event[0].draft.session == s.session.id)
        let body = object(of: event[0].draft)
        #expect(body["agent_id"] as? String == s.ann.id.lowercasedText && body["agent_name"] as? String == "Ann")
        #expect(body["assigned_by"] as? String == s.ann.id.lowercasedText)
    }

    @Test func anAgentOfAnotherBusinessOrAnUnknownOneIsNotFound() async throws {
        let s = try await shop()
        let other = try await s.ports.business(name: "Other")
        let stranger = try await s.ports.agent(of: other.id)
        await #expect(throws: ChatError.agentNotFound) { try await s.chat.assignment.assign(s.session, to: stranger.id, by: .admin) }
        await #expect(throws: ChatError.agentNotFound) { try await s.chat.assignment.assign(s.session, to: UUID(), by: caller(s.ann)) }
        #expect(try await s.ports.store.session(s.session.id)?.assignedAgentID == nil)
        #expect(s.ports.log.feedDrafts(ofType: "session_assigned").isEmpty)
    }

    @Test func aChatOfAnotherAgentIsTakenOnlyByAnAdminOrHandedOverByItsAgent() async throws {
        let s = try await shop()
        let carl = try await s.ports.agent(of: s.business.id, name: "Carl")
        _ = try await s.chat.assignment.assign(s.session, to: s.ann.id, by: caller(s.ann))
        await #expect(throws: ChatError.alreadyAssigned) { try await s.chat.assignment.assign(s.session, to: s.bob.id, by: caller(s.bob)) }
        await #expect(throws: ChatError.alreadyAssigned) { try await s.chat.assignment.assign(s.session, to: carl.id, by: caller(s.bob)) }
        #expect(try await s.ports.store.session(s.session.id)?.assignedAgentID == s.ann.id)
        // Ann hands it to Bob; the admin gives it to Carl.
        _ = try await s.chat.assignment.assign(s.session, to: s.bob.id, by: caller(s.ann))
        #expect(try await s.ports.store.session(s.session.id)?.assignedAgentID == s.bob.id)
        _ = try await s.chat.assignment.assign(s.session, to: carl.id, by: .admin)
        #expect(try await s.ports.store.session(s.session.id)?.assignedAgentID == carl.id)
        // Assigning it again to its own agent is allowed, and announced again.
        _ = try await s.chat.assignment.assign(s.session, to: carl.id, by: caller(carl))
        #expect(s.ports.log.feedDrafts(ofType: "session_assigned").count == 4)
    }

    @Test func anEndedChatIsNeitherAssignedNorTransferred() async throws {
        let s = try await shop()
        let department = try await s.ports.department(of: s.business.id)
        _ = try await s.ports.log.end(session: s.session.id)
        // The session as read before it ended: the store's answer decides.
        await #expect(throws: ChatError.sessionEnded) { try await s.chat.assignment.assign(s.session, to: s.ann.id, by: caller(s.ann)) }
        await #expect(throws: ChatError.sessionEnded) { try await s.chat.assignment.transfer(s.session, to: department.id, by: caller(s.ann)) }
        let ended = try #require(try await s.ports.store.session(s.session.id))
        await #expect(throws: ChatError.sessionEnded) { try await s.chat.assignment.assign(ended, to: s.ann.id, by: .admin) }
        #expect(s.ports.log.committedTypes == ["session_started", "session_ended"])
    }

    @Test func aTransferGoesToADepartmentOfTheSameBusinessAndUnassigns() async throws {
        let s = try await shop()
        let sales = try await s.ports.department(of: s.business.id, name: "Sales")
        let foreign = try await s.ports.department(of: try await s.ports.business(name: "Other").id)
        _ = try await s.chat.assignment.assign(s.session, to: s.ann.id, by: caller(s.ann))
        await #expect(throws: ChatError.departmentNotFound) { try await s.chat.assignment.transfer(s.session, to: foreign.id, by: caller(s.ann)) }
        await #expect(throws: ChatError.departmentNotFound) { try await s.chat.assignment.transfer(s.session, to: UUID(), by: caller(s.ann)) }

        let moved = try await s.chat.assignment.transfer(s.session, to: sales.id, by: caller(s.bob))
        #expect(moved == sales)
        let stored = try await s.ports.store.session(s.session.id)
        #expect(stored?.departmentID == sales.id && stored?.assignedAgentID == nil)
        let body = object(of: try #require(s.ports.log.feedDrafts(ofType: "session_transferred").first).draft)
        #expect(body["department"] as? String == sales.id.lowercasedText && body["department_name"] as? String == "Sales")
        #expect(body["transferred_by"] as? String == s.bob.id.lowercasedText)
    }

    @Test func aDeactivatedAgentIsNotGivenAChat() async throws {
        let s = try await shop()
        _ = try await s.chat.team.setAgentActive(s.bob.id, of: s.business.id, active: false)
        await #expect(throws: ChatError.invalid("agent_id", "This agent is deactivated.")) {
            try await s.chat.assignment.assign(s.session, to: s.bob.id, by: .admin)
        }
    }

    @Test func aDealGoesToNoDeactivatedAgent() async throws {
        let s = try await shop()
        _ = try await s.chat.team.setAgentActive(s.ann.id, of: s.business.id, active: false)
        _ = try await s.chat.team.setAgentActive(s.bob.id, of: s.business.id, active: false)
        // Still online for a moment (its sockets close with 4003, presence forgets it after the grace).
        s.ports.store.markOnlineNow(agent: s.ann.id, business: s.business.id)
        try await s.chat.assignment.autoAssign(s.session)
        let assigned = try await s.ports.store.session(s.session.id)?.assignedAgentID
        #expect(assigned == nil)
    }

    @Test func theNoticesWriteTheirEmptyFieldsAsNull() async throws {
        let s = try await shop()
        s.ports.store.markOnlineNow(agent: s.ann.id, business: s.business.id)
        try await s.chat.assignment.autoAssign(s.session)
        #expect(try await s.ports.store.session(s.session.id)?.assignedAgentID == s.ann.id)
        let sales = try await s.ports.department(of: s.business.id)
        _ = try await s.chat.assignment.transfer(s.session, to: sales.id, by: .admin)
        let dealt = object(of: try #require(s.ports.log.feedDrafts(ofType: "session_assigned").first).draft)
        let moved = object(of: try #require(s.ports.log.feedDrafts(ofType: "session_transferred").first).draft)
        // docs/API.md: assigned_by and transferred_by are null for an admin and for an
        // auto-assignment, from_department null when the chat had none.
        #expect(dealt["assigned_by"] is NSNull)
        #expect(moved["transferred_by"] is NSNull && moved["from_department"] is NSNull)
    }
}
