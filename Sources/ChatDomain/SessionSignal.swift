import Foundation

/// What a session's sockets relay to each other and never store as messages: typing, read
/// receipts, participants coming and going.
package enum SessionSignal {
    package struct Typing: Encodable, Sendable {
        let type = "typing"
        let session_id: String
        let sender_id: String
        let sender_type: String
        let is_typing: Bool

        package init(session: UUID, sender: Identity, isTyping: Bool) {
            session_id = session.lowercasedText
            sender_id = sender.subject?.lowercasedText ?? ""
            sender_type = sender.senderType
            is_typing = isTyping
        }
    }

    /// Which of a sender's typing frames are relayed: a change of state at once, the same state
    /// again at most once per `interval` (clients repeat `typing` while the person types; each
    /// relayed frame goes to every other socket of the session, so an unthrottled sender is an
    /// amplifier).
    package struct TypingGate: Sendable {
        package static let interval: Duration = .seconds(1)
        private var last: (isTyping: Bool, at: ContinuousClock.Instant)?

        package init() {}

        package mutating func admit(_ isTyping: Bool, at now: ContinuousClock.Instant) -> Bool {
            if let last, last.isTyping == isTyping, now - last.at < Self.interval { return false }
            last = (isTyping, now)
            return true
        }
    }

    package struct Read: Encodable, Sendable {
        let type = "read"
        let session_id: String
        let message_id: String
        let seq: Int
        let reader_id: String
        let reader_type: String
        let timestamp: String
    }

    package struct Participant: Encodable, Sendable {
        let type: String
        let session_id: String
        let participant_id: String
        let participant_type: String
        let timestamp: String

        package init(joined: Bool, session: UUID, identity: Identity) {
            type = joined ? "participant_joined" : "participant_left"
            session_id = session.lowercasedText
            participant_id = identity.subject?.lowercasedText ?? ""
            participant_type = identity.senderType
            timestamp = WireTime.iso(WireTime.now())
        }
    }
}

extension SocketService {
    /// Read markers only move forward: `reader` has read `messageID` of `session` (and all before).
    /// Returns the receipt to relay, or nil when the marker was there or further already.
    package func markRead(_ messageID: UUID, in session: UUID, by reader: Identity) async throws -> SessionSignal.Read? {
        guard let message = try await historyStore.message(messageID), message.sessionID == session else {
            throw ChatError.unknownMessage
        }
        guard let readerID = reader.subject,
              try await historyStore.advanceReadMarker(session: session, reader: readerID, to: message.seq) else { return nil }
        return SessionSignal.Read(
            session_id: session.lowercasedText, message_id: messageID.lowercasedText, seq: message.seq,
            reader_id: readerID.lowercasedText, reader_type: reader.senderType, timestamp: WireTime.iso(WireTime.now()))
    }
}
