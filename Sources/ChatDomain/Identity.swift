import Foundation

/// Who a token speaks for.
package enum Role: String, Codable, Sendable {
    case visitor, agent, admin
}

/// The verified caller of a request or socket.
package enum Identity: Sendable, Equatable {
    case visitor(id: UUID, business: UUID)
    case agent(id: UUID, business: UUID)
    case admin

    package var subject: UUID? {
        switch self {
        case .visitor(let id, _), .agent(let id, _): id
        case .admin: nil
        }
    }

    package var isVisitor: Bool {
        if case .visitor = self { true } else { false }
    }

    /// `visitor` or `agent`, as written in a message's `sender_type`.
    package var senderType: String {
        switch self {
        case .visitor: "visitor"
        case .agent: "agent"
        case .admin: "admin"
        }
    }
}
