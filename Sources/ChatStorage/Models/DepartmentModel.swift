import ChatDomain
import Fluent
import Foundation

/// A team of a business that chats can be routed to. `@unchecked Sendable`: see `BusinessModel`.
final class DepartmentModel: Model, @unchecked Sendable {
    static let schema = "departments"

    @ID(key: .id) var id: UUID?
    @Field(key: "business_id") var businessID: UUID
    @Field(key: "name") var name: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(_ department: Department) {
        id = department.id
        businessID = department.businessID
        name = department.name
        createdAt = department.createdAt
    }

    var record: Department {
        Department(id: id ?? UUID(), businessID: businessID, name: name, createdAt: createdAt)
    }
}
