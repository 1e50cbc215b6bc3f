import Fluent
import Foundation

/// One event of a business's agent feed, numbered by `cursor` (1, 2, 3 … per business) in the
/// order it was committed.
/// `@unchecked Sendable`: see `BusinessModel`.
final class FeedEventModel: Model, @unchecked Sendable {
    static let schema = "feed_events"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "business_id") var businessID: UUID
    @Field(key: "cursor") var cursor: Int
    @Field(key: "type") var type: String
    /// The event's JSON as sent to feed sockets, without its `cursor`.
    @Field(key: "payload") var payload: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
