import Foundation
import Testing
@testable import ChatDomain

/// `Search`: a query's words, and `SearchService` over the fake index.
@Suite("Rules on fakes: search", .timeLimit(.minutes(3)))
struct SearchRulesTests {
    @Test func aQueryIsOneToTenFoldedWordsOfLettersOrDigits() throws {
        #expect(try Search.Query("Où est MA Commande ?").words == ["ou", "est", "ma", "commande"])
        #expect(try Search.Query("refund refund REFUND #42").words == ["refund", "42"])
        #expect(try Search.Query("ｆｕｌｌ width").words == ["full", "width"])
        for blank in [nil, "", "   \n"] {
            #expect(throws: ChatError.invalid("q", "This field is required.")) { try Search.Query(blank) }
        }
        #expect(throws: ChatError.invalid("q", "Must hold at least one word of letters or digits.")) { try Search.Query("?! -- ...") }
        #expect(throws: ChatError.invalid("q", "Use at most 10 words.")) { try Search.Query((1...11).map { "w\($0)" }.joined(separator: " ")) }
        #expect(throws: ChatError.invalid("q", "Ensure this field has no more than 500 characters.")) {
            try Search.Query(String(repeating: "a", count: 501))
        }
        #expect(try Search.Query((1...10).map { "w\($0)" }.joined(separator: " ")).words.count == 10)
    }

    @Test func everyWordMustStartAWordOfTheMessageOfThisBusiness() async throws {
        let ports = try await FakePorts.make()
        let search = ports.chat().search
        let shop = try await ports.business()
        let other = try await ports.business(name: "Other")
        let session = try await ports.session(of: shop.id)
        let theirs = try await ports.session(of: other.id)
        let visitor = Identity.visitor(id: session.visitorID, business: shop.id)
        ports.log.append(ports.text("Where is my parcel? Order 1234", in: session, by: visitor))
        ports.log.append(ports.text("Refunds take three days", in: session, by: visitor))
        ports.log.append(ports.text("parcel parcel", in: theirs, by: .visitor(id: theirs.visitorID, business: other.id)))
        _ = try await ports.store.indexPending(limit: 100)

        let found = try await search.search(in: shop.id, query: "PARC ord", limit: 10, before: nil)
        #expect(found.results.map(\.hit.entry.content) == ["Where is my parcel? Order 1234"])
        #expect(found.results[0].hit.entry.sessionID == session.id && found.next == nil)
        #expect(found.results[0].snippet.parts.filter(\.isMatch).map(\.text) == ["parcel", "Order"])
        #expect(try await search.search(in: shop.id, query: "arcel", limit: 10, before: nil).results.isEmpty)  // a prefix, not a part
        #expect(try await search.search(in: shop.id, query: "parcel refunds", limit: 10, before: nil).results.isEmpty)
        #expect(try await search.search(in: other.id, query: "order", limit: 10, before: nil).results.isEmpty)
    }

    @Test func resultsComeNewestFirstAPageAtATime() async throws {
        let ports = try await FakePorts.make()
        let search = ports.chat().search
        let shop = try await ports.business()
        let session = try await ports.session(of: shop.id)
        let visitor = Identity.visitor(id: session.visitorID, business: shop.id)
        for n in 1...3 { ports.log.append(ports.text("invoice number \(n)", in: session, by: visitor)) }
        _ = try await ports.store.indexPending(limit: 100)

        let first = try await search.search(in: shop.id, query: "invoice", limit: 2, before: nil)
        #expect(first.results.map(\.hit.entry.content) == ["invoice number 3", "invoice number 2"])
        let next = try #require(first.next)
        #expect(next == first.results[1].hit.position)
        let second = try await search.search(in: shop.id, query: "invoice", limit: 2, before: next)
        #expect(second.results.map(\.hit.entry.content) == ["invoice number 1"])
        #expect(second.next == nil)
    }
}
