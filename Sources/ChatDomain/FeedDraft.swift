import Foundation

/// A business feed event before it is stored: its business, type and JSON object (which names its
/// `type`), and optionally the session whose sockets also get it (as a signal, without `cursor`).
package struct FeedDraft: Sendable {
    package let business: UUID
    package let type: String
    package let payload: Data
    package let session: UUID?

    package init<Body: Encodable>(business: UUID, type: String, session: UUID? = nil, body: Body) throws {
        self.business = business
        self.type = type
        self.session = session
        self.payload = try JSONEncoder().encode(body)
    }

    /// A draft whose JSON object is already written (another node's event).
    package init(business: UUID, type: String, session: UUID?, payload: Data) {
        self.business = business
        self.type = type
        self.session = session
        self.payload = payload
    }

    /// The `session_ended` event of a session that just ended.
    package static func sessionEnded(_ session: UUID, business: UUID, at date: Date) throws -> FeedDraft {
        try FeedDraft(business: business, type: "session_ended", body: FeedSessionEnded(
            session_id: session.lowercasedText, timestamp: WireTime.iso(date)))
    }

    /// The feed's `message` event of a stored message whose JSON is `json`.
    package static func messagePayload(_ message: WireMessage, json: String) -> String {
        #"{"type":"message","session_id":"\#(message.sessionID.lowercasedText)","message":\#(json)}"#
    }

    /// The stored JSON object as text.
    package var text: String { String(decoding: payload, as: UTF8.self) }
}

/// The feed's `session_ended` event.
struct FeedSessionEnded: Encodable {
    let type = "session_ended"
    let session_id: String
    let message = "The session has ended."
    let timestamp: String
}

/// A stored feed event read back for a catch-up.
package struct StoredFeedEvent: Sendable {
    package let cursor: Int
    /// The JSON object without its `cursor`.
    package let payload: String

    package init(cursor: Int, payload: String) {
        self.cursor = cursor
        self.payload = payload
    }
}
