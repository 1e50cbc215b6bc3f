import ChatDomain
import Foundation
import SQLKit

/// Records read from SQL rows column by column: FluentKit's model decoding lists a model's
/// fields by reflection for every row, which dominated the inbox and history pages when profiled.
enum RecordColumns {
    static var session: SQLQueryString {
        "id, business_id, department_id, visitor_id, started_at, ended_at, assigned_agent_id"
    }

    static var message: SQLQueryString {
        "id, session_id, seq, type, content, file, file_name, is_audio, sender_id, sender_type, client_id, created_at"
    }
}

extension SQLRow {
    /// A row selected with `RecordColumns.session`.
    func chatSession() throws -> ChatSession {
        ChatSession(
            id: try decode(column: "id", as: UUID.self), businessID: try decode(column: "business_id", as: UUID.self),
            departmentID: try decode(column: "department_id", as: UUID?.self),
            visitorID: try decode(column: "visitor_id", as: UUID.self), startedAt: try decode(column: "started_at", as: Date.self),
            endedAt: try decode(column: "ended_at", as: Date?.self),
            assignedAgentID: try decode(column: "assigned_agent_id", as: UUID?.self))
    }

    /// A row selected with `RecordColumns.message`.
    func wireMessage() throws -> WireMessage {
        WireMessage(
            type: try decode(column: "type", as: String.self), id: try decode(column: "id", as: UUID.self),
            sessionID: try decode(column: "session_id", as: UUID.self), seq: try decode(column: "seq", as: Int.self),
            content: try decode(column: "content", as: String?.self), file: try decode(column: "file", as: String?.self),
            fileName: try decode(column: "file_name", as: String?.self), isAudio: try decode(column: "is_audio", as: Bool.self),
            senderID: try decode(column: "sender_id", as: UUID.self), senderType: try decode(column: "sender_type", as: String.self),
            clientID: try decode(column: "client_id", as: String?.self), createdAt: try decode(column: "created_at", as: Date.self))
    }
}
