import ChatDomain
import Fluent
import Foundation

/// A business's canned response. `@unchecked Sendable`: see `BusinessModel`.
final class CannedResponseModel: Model, @unchecked Sendable {
    static let schema = "canned_responses"

    @ID(key: .id) var id: UUID?
    @Field(key: "business_id") var businessID: UUID
    @Field(key: "shortcut") var shortcut: String
    @Field(key: "content") var content: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(_ response: CannedResponse) {
        id = response.id
        businessID = response.businessID
        shortcut = response.shortcut
        content = response.content
        createdAt = response.createdAt
    }

    var record: CannedResponse {
        CannedResponse(id: id ?? UUID(), businessID: businessID, shortcut: shortcut, content: content, createdAt: createdAt)
    }
}
