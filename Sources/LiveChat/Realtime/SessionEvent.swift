import NIOCore
import Foundation

/// Something that happened in a session, encoded once for every connection that receives it.
struct SessionEvent: Sendable {
    enum Kind: Sendable { case message, ended }

    let sessionID: UUID
    let kind: Kind
    /// The message's number in its session; nil for `ended`.
    let seq: Int?
    /// The JSON text frame payload, shared by all recipients.
    let payload: ByteBuffer
}
