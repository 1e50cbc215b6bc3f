import Foundation
import NIOCore

/// A feed event before it is stored: its business, type and JSON object (which names its `type`),
/// and optionally the session whose sockets also get it (as a signal, without `cursor`).
struct FeedDraft: Sendable {
    let business: UUID
    let type: String
    let payload: Data
    let session: UUID?

    init<Body: Encodable>(business: UUID, type: String, session: UUID? = nil, body: Body) throws {
        self.business = business
        self.type = type
        self.session = session
        self.payload = try JSONEncoder().encode(body)
    }

    /// The `session_ended` event of a session that just ended.
    static func sessionEnded(_ session: UUID, business: UUID, at date: Date) throws -> FeedDraft {
        try FeedDraft(business: business, type: "session_ended", body: FeedSessionEnded(
            session_id: session.lowercasedText, timestamp: WireTime.iso(date)))
    }

    /// The stored JSON object as text.
    var text: String { String(decoding: payload, as: UTF8.self) }

    /// The feed frame: the stored object with its `cursor` first.
    static func frame(payload: Data, cursor: Int) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: payload.count + 24)
        buffer.writeString("{\"cursor\":\(cursor)")
        if payload.count > 2 { buffer.writeString(",") }
        buffer.writeBytes(payload.dropFirst())
        return buffer
    }
}

/// The feed's and the session's `session_ended` event.
struct FeedSessionEnded: Encodable {
    let type = "session_ended"
    let session_id: String
    let message = "The session has ended."
    let timestamp: String
}
