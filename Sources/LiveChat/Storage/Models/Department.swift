import Fluent
import Foundation

/// A team of a business that chats can be routed to. `@unchecked Sendable`: see `Business`.
final class Department: Model, @unchecked Sendable {
    static let schema = "departments"

    @ID(key: .id) var id: UUID?
    @Field(key: "business_id") var businessID: UUID
    @Field(key: "name") var name: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(id: UUID = UUID(), businessID: UUID, name: String) {
        self.id = id
        self.businessID = businessID
        self.name = name
        self.createdAt = WireTime.now()
    }
}
