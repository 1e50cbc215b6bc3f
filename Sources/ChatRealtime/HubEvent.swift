import Foundation
import NIOCore

/// Something to deliver to the sockets of one topic (a session, or a business's agent feed),
/// encoded once for every socket that receives it.
package struct HubEvent: Sendable {
    package enum Topic: Sendable, Hashable {
        case session(UUID)
        case feed(business: UUID)
    }

    package enum Kind: Sendable {
        /// Stored and numbered: a chat message (`seq`) or a feed event (`cursor`).
        case numbered
        /// The session ended: delivered, then the socket closes with 4006.
        case ended
        /// Not stored: typing, read receipts, participants, assignment notices.
        case signal
    }

    let topic: Topic
    let kind: Kind
    /// The message's `seq` or the feed event's `cursor`; nil for other kinds.
    let number: Int?
    /// The JSON text frame payload, shared by all recipients.
    let payload: ByteBuffer
    /// A socket that must not receive it (the sender of a signal).
    var excluding: UUID? = nil
    /// A private note: agents' sockets write it, a visitor's only counts its number.
    var agentsOnly = false
}
