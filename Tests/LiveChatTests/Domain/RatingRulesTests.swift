import Foundation
import Testing
@testable import ChatDomain

/// `RatingService`: the visitor rates its ended chat once, 1 to 5 stars.
@Suite("Rules on fakes: ratings", .timeLimit(.minutes(3)))
struct RatingRulesTests {
    @Test func aChatIsRatedOnlyOnceItEnded() async throws {
        let ports = try await FakePorts.make()
        let chat = ports.chat()
        let session = try await ports.session(of: try await ports.business().id)
        let visitor = Identity.visitor(id: session.visitorID, business: session.businessID)
        await #expect(throws: ChatError.sessionNotEnded) { try await chat.ratings.rate(session: session.id, as: visitor, score: 5, comment: nil) }
        #expect(try await ports.store.rating(of: session.id) == nil)

        _ = try await ports.log.end(session: session.id)
        let rating = try await chat.ratings.rate(session: session.id, as: visitor, score: 4, comment: "  Quick and kind. ")
        #expect(rating.score == 4 && rating.comment == "Quick and kind." && rating.businessID == session.businessID)
        #expect(try await ports.store.rating(of: session.id) == rating)
        let event = try #require(ports.log.feedDrafts(ofType: "session_rated").first)
        let stars = object(of: event.draft)["rating"] as? [String: Any]
        #expect(stars?["score"] as? Int == 4 && stars?["comment"] as? String == "Quick and kind.")
    }

    @Test func aSecondRatingIsRefusedAndTheFirstKept() async throws {
        let ports = try await FakePorts.make()
        let chat = ports.chat()
        let session = try await ports.session(of: try await ports.business().id)
        let visitor = Identity.visitor(id: session.visitorID, business: session.businessID)
        _ = try await ports.log.end(session: session.id)
        _ = try await chat.ratings.rate(session: session.id, as: visitor, score: 2, comment: nil)
        await #expect(throws: ChatError.alreadyRated) { try await chat.ratings.rate(session: session.id, as: visitor, score: 5, comment: "Better") }
        #expect(try await ports.store.rating(of: session.id)?.score == 2)
        #expect(ports.log.feedDrafts(ofType: "session_rated").count == 1)
    }

    @Test func theScoreIsOneToFiveAndTheCommentAtMost1000CharactersABlankOneNone() async throws {
        let ports = try await FakePorts.make()
        let chat = ports.chat()
        let session = try await ports.session(of: try await ports.business().id)
        let visitor = Identity.visitor(id: session.visitorID, business: session.businessID)
        _ = try await ports.log.end(session: session.id)
        for score in [0, 6, -1] {
            await #expect(throws: ChatError.invalid("score", "Must be an integer from 1 to 5.")) {
                try await chat.ratings.rate(session: session.id, as: visitor, score: score, comment: nil)
            }
        }
        await #expect(throws: ChatError.invalid("comment", "Ensure this field has no more than 1000 characters.")) {
            try await chat.ratings.rate(session: session.id, as: visitor, score: 3, comment: String(repeating: "x", count: 1001))
        }
        #expect(try await ports.store.rating(of: session.id) == nil)
        let rating = try await chat.ratings.rate(session: session.id, as: visitor, score: 1, comment: "   ")
        #expect(rating.comment == nil && rating.score == 1)
    }

    @Test func onlyTheSessionsVisitorRates() async throws {
        let ports = try await FakePorts.make()
        let chat = ports.chat()
        let shop = try await ports.business()
        let session = try await ports.session(of: shop.id)
        let other = try await ports.session(of: shop.id)
        let agent = try await ports.agent(of: shop.id)
        _ = try await ports.log.end(session: session.id)
        await #expect(throws: ChatError.forbidden) {
            try await chat.ratings.rate(session: session.id, as: .agent(id: agent.id, business: shop.id), score: 5, comment: nil)
        }
        await #expect(throws: ChatError.forbidden) { try await chat.ratings.rate(session: session.id, as: .admin, score: 5, comment: nil) }
        await #expect(throws: ChatError.forbidden) {
            try await chat.ratings.rate(session: session.id, as: .visitor(id: other.visitorID, business: shop.id), score: 5, comment: nil)
        }
        await #expect(throws: ChatError.sessionNotFound) {
            try await chat.ratings.rate(session: session.id, as: .visitor(id: session.visitorID, business: UUID()), score: 5, comment: nil)
        }
        #expect(try await ports.store.rating(of: session.id) == nil)
    }
}
