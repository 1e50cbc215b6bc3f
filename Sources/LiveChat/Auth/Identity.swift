import Foundation

/// The verified caller of a request or socket.
enum Identity: Sendable, Equatable {
    case visitor(id: UUID, business: UUID)
    case agent(id: UUID, business: UUID)
    case admin

    var subject: UUID? {
        switch self {
        case .visitor(let id, _), .agent(let id, _): id
        case .admin: nil
        }
    }

    /// `visitor` or `agent`, as written in a message's `sender_type`.
    var senderType: String {
        switch self {
        case .visitor: "visitor"
        case .agent: "agent"
        case .admin: "admin"
        }
    }
}
