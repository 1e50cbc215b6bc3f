import Foundation
import Testing
@testable import ChatDomain

/// What happens to a chat message (`MessageFlow`), checked then written by the fake writer.
@Suite("Rules on fakes: a message", .timeLimit(.minutes(3)))
struct MessageRulesTests {
    private let limit = FakePorts.settings.maxTextLength

    private func author(_ session: ChatSession, _ identity: Identity? = nil, origin: (any MessageOrigin)? = nil) -> MessageFlow.Author {
        MessageFlow.Author(session: session.id, business: session.businessID,
                           identity: identity ?? .visitor(id: session.visitorID, business: session.businessID), origin: origin)
    }

    private func history(_ ports: FakePorts, _ session: ChatSession, agent: Bool = false) async throws -> [WireMessage] {
        try await ports.store.messages(of: session.id, after: 0, limit: nil, includingPrivate: agent)
    }

    @Test func aTextIsTrimmedAndStoredAsTrimmed() async throws {
        let ports = try await FakePorts.make()
        let session = try await ports.session(of: try await ports.business().id)
        let checked = try MessageFlow.text("  \n\tHello there \n ", clientID: nil, by: author(session), limit: limit).get()
        ports.log.append(checked)
        #expect(try await history(ports, session).map(\.content) == ["Hello there"])
        #expect(ports.log.storedMessages.first?.senderType == "visitor")
    }

    @Test func anEmptyAnOverlongOrANulTextIsRefused() async throws {
        let ports = try await FakePorts.make()
        let session = try await ports.session(of: try await ports.business().id)
        let by = author(session)
        #expect(throws: ChatError.emptyMessage) { try MessageFlow.text(" \n\t ", clientID: nil, by: by, limit: limit).get() }
        #expect(throws: ChatError.emptyMessage) { try MessageFlow.text("", clientID: nil, by: by, limit: limit).get() }
        #expect(throws: ChatError.messageTooLong(limit: limit)) {
            try MessageFlow.text(String(repeating: "a", count: limit + 1), clientID: nil, by: by, limit: limit).get()
        }
        #expect(throws: ChatError.nulCharacter) { try MessageFlow.text("a\u{0}b", clientID: nil, by: by, limit: limit).get() }
        // The limit counts characters, not bytes: 100 emoji (400 bytes) pass, 101 do not.
        _ = try MessageFlow.text(String(repeating: "👍", count: limit), clientID: nil, by: by, limit: limit).get()
        #expect(throws: ChatError.messageTooLong(limit: limit)) {
            try MessageFlow.text(String(repeating: "👍", count: limit + 1), clientID: nil, by: by, limit: limit).get()
        }
    }

    @Test func aNoteIsTheAgentsAndNeverInTheVisitorsHistory() async throws {
        let ports = try await FakePorts.make()
        let shop = try await ports.business()
        let session = try await ports.session(of: shop.id)
        let agent = try await ports.agent(of: shop.id)
        #expect(throws: ChatError.notesForAgentsOnly) { try MessageFlow.note("psst", clientID: nil, by: author(session), limit: limit).get() }
        let byAgent = author(session, .agent(id: agent.id, business: shop.id))
        ports.log.append(try MessageFlow.text("Hi!", clientID: nil, by: byAgent, limit: limit).get())
        ports.log.append(try MessageFlow.note("VIP customer", clientID: nil, by: byAgent, limit: limit).get())
        ports.log.append(try MessageFlow.text("Thanks", clientID: nil, by: author(session), limit: limit).get())
        #expect(try await history(ports, session, agent: true).map(\.seq) == [1, 2, 3])
        // The visitor's history keeps the stored numbers: the note's number is a gap.
        let visitorSees = try await history(ports, session)
        #expect(visitorSees.map(\.seq) == [1, 3])
        #expect(!visitorSees.contains { $0.isPrivate || $0.content == "VIP customer" })
    }

    @Test func aFileMessageMustNameAFileOfTheSameSession() async throws {
        let ports = try await FakePorts.make()
        let shop = try await ports.business()
        let session = try await ports.session(of: shop.id)
        let other = try await ports.session(of: shop.id)
        let mine = try await ports.attachment(in: session, name: "receipt.png")
        let theirs = try await ports.attachment(in: other)
        let by = author(session)
        await #expect(throws: ChatError.unknownFile) {
            try await MessageFlow.file(url: theirs.url, isAudio: false, clientID: nil, by: by, in: ports.store)
        }
        await #expect(throws: ChatError.unknownFile) {
            try await MessageFlow.file(url: "https://elsewhere.example/x.png", isAudio: false, clientID: nil, by: by, in: ports.store)
        }
        await #expect(throws: ChatError.unknownFile) {
            try await MessageFlow.file(url: "http://chat.example\(MediaPath.prefix)0123456789abcdef0123456789abcdef.png", isAudio: false,
                                       clientID: nil, by: by, in: ports.store)
        }
        // Whatever host the client wrote, the stored URL and name are the ones sent.
        let path = "http://any.host\(MediaPath.prefix)\(mine.storedName)"
        ports.log.append(try await MessageFlow.file(url: path, isAudio: false, clientID: nil, by: by, in: ports.store))
        let stored = try await history(ports, session)
        #expect(stored.map(\.file) == [mine.url] && stored.map(\.fileName) == ["receipt.png"] && stored[0].type == "file")
        #expect(try await ports.store.attachment(storedName: mine.storedName)?.messageID == stored[0].id)
    }

    @Test func aMessageAfterTheEndIsRefusedAndNothingIsStored() async throws {
        let ports = try await FakePorts.make()
        let session = try await ports.session(of: try await ports.business().id)
        _ = try await ports.log.end(session: session.id)
        let origin = RecordingOrigin()
        ports.log.append(try MessageFlow.text("anyone?", clientID: "late-1", by: author(session, origin: origin), limit: limit).get())
        #expect(origin.refused == [.sessionEnded])
        #expect(try await history(ports, session).isEmpty)
        #expect(ports.log.storedMessages.isEmpty)
    }

    @Test func aClientIDIsStoredOnceAndItsRepeatAnsweredWithTheStoredMessage() async throws {
        let ports = try await FakePorts.make()
        let session = try await ports.session(of: try await ports.business().id)
        let first = RecordingOrigin(), repeat1 = RecordingOrigin(), repeat2 = RecordingOrigin()
        ports.log.append(try MessageFlow.text("order #12?", clientID: "abc", by: author(session, origin: first), limit: limit).get())
        ports.log.append(try MessageFlow.text("order #12?", clientID: "abc", by: author(session, origin: repeat1), limit: limit).get())
        ports.log.append(try MessageFlow.text("edited", clientID: "abc", by: author(session, origin: repeat2), limit: limit).get())
        let stored = try await history(ports, session)
        #expect(stored.count == 1 && stored[0].clientID == "abc" && stored[0].content == "order #12?")
        #expect(repeat1.repeated == stored && repeat2.repeated == stored)
        #expect(first.repeated.isEmpty && first.refused.isEmpty)
        #expect(ports.log.storedMessages.count == 1)
    }

    @Test func messagesAreNumberedInArrivalOrderAcrossBatches() async throws {
        let ports = try await FakePorts.make(gathersBatches: true)
        let session = try await ports.session(of: try await ports.business().id)
        for text in ["1", "2"] { ports.log.append(try MessageFlow.text(text, clientID: nil, by: author(session), limit: limit).get()) }
        await ports.log.flush()
        for text in ["3", "4", "5"] { ports.log.append(try MessageFlow.text(text, clientID: nil, by: author(session), limit: limit).get()) }
        await ports.log.flush()
        let stored = try await history(ports, session)
        #expect(stored.map(\.seq) == [1, 2, 3, 4, 5])
        #expect(stored.map(\.content) == ["1", "2", "3", "4", "5"])
        let cursors = ports.log.committed.compactMap { if case .message(let stored) = $0 { stored.cursor } else { nil } }
        #expect(cursors == [2, 3, 4, 5, 6])  // after the session_started event
    }
}
