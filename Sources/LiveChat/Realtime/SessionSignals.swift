import Foundation

/// The session socket's extensions that are relayed and never stored as messages.
enum SessionSignal {
    struct Typing: Encodable {
        let type = "typing"
        let session_id: String
        let sender_id: String
        let sender_type: String
        let is_typing: Bool
    }

    struct Read: Encodable {
        let type = "read"
        let session_id: String
        let message_id: String
        let seq: Int
        let reader_id: String
        let reader_type: String
        let timestamp: String
    }

    struct Participant: Encodable {
        let type: String
        let session_id: String
        let participant_id: String
        let participant_type: String
        let timestamp: String

        init(joined: Bool, session: UUID, identity: Identity) {
            type = joined ? "participant_joined" : "participant_left"
            session_id = session.lowercasedText
            participant_id = identity.subject?.lowercasedText ?? ""
            participant_type = identity.senderType
            timestamp = WireTime.iso(WireTime.now())
        }
    }
}
