import Fluent
import Foundation

/// One event of a business's agent feed, numbered by `cursor` in the order it was published.
/// `@unchecked Sendable`: see `BusinessModel`.
final class FeedEventModel: Model, @unchecked Sendable {
    static let schema = "feed_events"

    @ID(custom: "cursor", generatedBy: .database) var id: Int?
    @Field(key: "business_id") var businessID: UUID
    @Field(key: "type") var type: String
    /// The event's JSON as sent to feed sockets, without its `cursor`.
    @Field(key: "payload") var payload: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
