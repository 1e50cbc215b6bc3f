import Foundation
import Testing
@testable import ChatDomain

/// `CannedResponseService`, built on the fake store alone (the one port it uses).
@Suite("Rules on fakes: canned responses", .timeLimit(.minutes(3)))
struct CannedResponseRulesTests {
    private let shortcutProblem = ChatError.invalid("shortcut", "1 to 32 characters of a-z, 0-9, _ and -.")

    @Test func aShortcutIsOneTo32LowercaseLettersDigitsUnderscoresOrDashes() throws {
        #expect(try CannedResponseService.shortcut("/greet") == "greet")
        #expect(try CannedResponseService.shortcut("order_status-2") == "order_status-2")
        #expect(try CannedResponseService.shortcut(String(repeating: "a", count: 32)) == String(repeating: "a", count: 32))
        for raw in ["", "/", "Greet", "two words", "café", "a/b", "//greet", String(repeating: "a", count: 33), "greet!"] {
            #expect(throws: shortcutProblem, "\(raw)") { try CannedResponseService.shortcut(raw) }
        }
    }

    @Test func theContentIsTrimmedNotBlankAndAtMost5000Characters() throws {
        #expect(try CannedResponseService.cannedContent("  Hello!\n") == "Hello!")
        #expect(throws: ChatError.invalid("content", "This field may not be blank.")) { try CannedResponseService.cannedContent(" \n ") }
        #expect(throws: ChatError.invalid("content", "Ensure this field has no more than 5000 characters.")) {
            try CannedResponseService.cannedContent(String(repeating: "é", count: 5001))
        }
        #expect(try CannedResponseService.cannedContent(String(repeating: "é", count: 5000)).count == 5000)
    }

    @Test func aShortcutIsTakenOncePerBusiness() async throws {
        let ports = try await FakePorts.make()
        let canned = CannedResponseService(cannedStore: ports.store)
        let shop = try await ports.business()
        let other = try await ports.business(name: "Other")
        let greet = try await canned.createCannedResponse(in: shop.id, shortcut: "greet", content: "Hello!")
        await #expect(throws: ChatError.shortcutTaken) { try await canned.createCannedResponse(in: shop.id, shortcut: "greet", content: "Hi") }
        _ = try await canned.createCannedResponse(in: other.id, shortcut: "greet", content: "Bonjour")
        #expect(try await canned.cannedResponses(of: shop.id, matching: nil) == [greet])
    }

    @Test func anotherBusinesssResponseIsNotFound() async throws {
        let ports = try await FakePorts.make()
        let canned = CannedResponseService(cannedStore: ports.store)
        let shop = try await ports.business()
        let other = try await ports.business(name: "Other")
        let theirs = try await canned.createCannedResponse(in: other.id, shortcut: "bye", content: "Goodbye")
        await #expect(throws: ChatError.cannedResponseNotFound) { try await canned.cannedResponse(theirs.id, in: shop.id) }
        await #expect(throws: ChatError.cannedResponseNotFound) {
            try await canned.updateCannedResponse(theirs.id, in: shop.id, shortcut: "mine", content: "Mine now")
        }
        await #expect(throws: ChatError.cannedResponseNotFound) { try await canned.deleteCannedResponse(theirs.id, in: shop.id) }
        await #expect(throws: ChatError.cannedResponseNotFound) { try await canned.cannedResponse(UUID(), in: shop.id) }
        #expect(try await ports.store.cannedResponse(theirs.id) == theirs)
    }

    @Test func anUpdateMayKeepItsShortcutButNotTakeAnothers() async throws {
        let ports = try await FakePorts.make()
        let canned = CannedResponseService(cannedStore: ports.store)
        let shop = try await ports.business()
        let greet = try await canned.createCannedResponse(in: shop.id, shortcut: "greet", content: "Hello!")
        let bye = try await canned.createCannedResponse(in: shop.id, shortcut: "bye", content: "Goodbye")
        await #expect(throws: ChatError.shortcutTaken) { try await canned.updateCannedResponse(bye.id, in: shop.id, shortcut: "greet", content: nil) }
        let same = try await canned.updateCannedResponse(greet.id, in: shop.id, shortcut: "greet", content: "Hello again!")
        #expect(same.shortcut == "greet" && same.content == "Hello again!")
        let renamed = try await canned.updateCannedResponse(bye.id, in: shop.id, shortcut: "farewell", content: nil)
        #expect(try await ports.store.cannedResponse(bye.id) == renamed)
        #expect(renamed.shortcut == "farewell" && renamed.content == "Goodbye")
        try await canned.deleteCannedResponse(greet.id, in: shop.id)
        #expect(try await canned.cannedResponses(of: shop.id, matching: nil).map(\.shortcut) == ["farewell"])
    }

    @Test func aQueryMatchesAShortcutPrefixOrTheContentIgnoringCase() async throws {
        let ports = try await FakePorts.make()
        let canned = CannedResponseService(cannedStore: ports.store)
        let shop = try await ports.business()
        for (shortcut, content) in [("greet", "Hello, how can I help?"), ("refund", "Your REFUND is on its way"), ("ship", "Shipping takes 2 days")] {
            _ = try await canned.createCannedResponse(in: shop.id, shortcut: shortcut, content: content)
        }
        #expect(try await canned.cannedResponses(of: shop.id, matching: "/gr").map(\.shortcut) == ["greet"])
        #expect(try await canned.cannedResponses(of: shop.id, matching: " Refund ").map(\.shortcut) == ["refund"])
        #expect(try await canned.cannedResponses(of: shop.id, matching: "HELP").map(\.shortcut) == ["greet"])
        #expect(try await canned.cannedResponses(of: shop.id, matching: "/").map(\.shortcut) == ["greet", "refund", "ship"])
        #expect(try await canned.cannedResponses(of: shop.id, matching: "nothing").isEmpty)
    }
}
