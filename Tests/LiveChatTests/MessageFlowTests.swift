import Foundation
import Testing
@testable import ChatDomain

/// The message rules of `MessageFlow.swift`, without a server: what a client's text becomes, and
/// what a batch's plan decides (numbering, repeats, ended sessions).
@Suite("Message rules", .timeLimit(.minutes(3)))
struct MessageFlowTests {
    let session = UUID()
    let business = UUID()
    let visitor = UUID()

    private var author: MessageFlow.Author {
        MessageFlow.Author(session: session, business: business, identity: .visitor(id: visitor, business: business), origin: nil)
    }

    private func text(_ content: String, clientID: String? = nil, limit: Int = 10) -> Result<PendingMessage, ChatError> {
        MessageFlow.text(content, clientID: clientID, by: author, limit: limit)
    }

    @Test func aTextIsTrimmedAndCountedInCharacters() throws {
        let message = try text(" \t\n héllo wörld\r\n", limit: 11).get()
        guard case .text(let content) = message.body else { Issue.record("not a text"); return }
        #expect(content == "héllo wörld")
        #expect(message.senderID == visitor && message.senderType == "visitor" && message.sessionID == session)
        // 10 characters of 4 bytes each fit a limit of 10 characters.
        #expect((try? text(String(repeating: "😀", count: 10)).get()) != nil)
        #expect(throws: ChatError.messageTooLong(limit: 10)) { try text(String(repeating: "a", count: 11)).get() }
        #expect(throws: ChatError.emptyMessage) { try text(" \n\t ").get() }
    }

    @Test func aBatchIsNumberedPerSessionInArrivalOrder() throws {
        let other = UUID()
        let batch = [
            try text("a").get(),
            PendingMessage(sessionID: other, businessID: business, body: .text("x"), senderID: visitor, senderType: "visitor",
                           clientID: nil, origin: nil),
            try text("b").get(),
        ]
        var plan = BatchPlan(batch, known: [:])
        #expect(plan.sessions == [session, other])
        #expect(plan.counts == [session: 2, other: 1])
        let rows = plan.rows(firstSeq: [session: 5, other: 1], at: Date())
        #expect(rows.map(\.wire.seq) == [5, 1, 6])
        #expect(rows.map(\.wire.content) == ["a", "x", "b"])
        let outcomes = plan.outcomes(stored: rows, cursors: [10, 11, 12])
        let cursors = outcomes.compactMap { if case .stored(let stored) = $0 { stored.cursor } else { nil } }
        #expect(cursors == [10, 11, 12])
    }

    @Test func repeatsAnswerWithTheStoredMessageAndEndedSessionsAreRefused() throws {
        let stored = WireMessage(type: "text", id: UUID(), sessionID: session, seq: 3, content: "first", file: nil, fileName: nil,
                                 isAudio: false, senderID: visitor, senderType: "visitor", clientID: "k1", createdAt: Date())
        let ended = UUID()
        let batch = [
            try text("again", clientID: "k1").get(),  // stored before: answered with `stored`
            try text("new", clientID: "k2").get(),
            try text("new again", clientID: "k2").get(),  // repeats the one above within the batch
            PendingMessage(sessionID: ended, businessID: business, body: .text("late"), senderID: visitor, senderType: "visitor",
                           clientID: nil, origin: nil),
        ]
        let key = try #require(batch[0].duplicateKey)
        var plan = BatchPlan(batch, known: [key: stored])
        let rows = plan.rows(firstSeq: [session: 4], at: Date())  // `ended` has no number: it has ended
        #expect(rows.map(\.wire.content) == ["new"])
        #expect(rows.first?.wire.seq == 4)
        let outcomes = plan.outcomes(stored: rows, cursors: [7])
        #expect(outcomes.count == 4)
        guard case .duplicate(let first, _) = outcomes[0], case .stored(let fresh) = outcomes[1],
              case .duplicate(let repeated, _) = outcomes[2], case .sessionEnded = outcomes[3] else {
            Issue.record("unexpected outcomes \(outcomes)")
            return
        }
        #expect(first == stored)
        #expect(repeated == fresh.message)
        #expect(fresh.feedPayload.contains(fresh.json))
    }
}
