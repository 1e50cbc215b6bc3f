import Foundation

/// A stored chat message as clients see it: the seed's broadcast fields plus `id`, `seq`,
/// `sender_type`, `session_id` and the sender's `client_id`. History items use the same shape;
/// every field is present (null where it does not apply: `content` of a file, `file` of a text).
package struct WireMessage: Codable, Sendable, Equatable {
    package var type: String
    package var id: UUID
    package var sessionID: UUID
    package var seq: Int
    package var content: String?
    package var file: String?
    package var fileName: String?
    package var isAudio: Bool
    package var senderID: UUID
    package var senderType: String
    package var clientID: String?
    /// When it was stored (milliseconds), and the same as the seed's text.
    package var createdAt: Date
    package var timestamp: String

    package enum CodingKeys: String, CodingKey {
        case type, id, seq, content, file, timestamp
        case sessionID = "session_id"
        case fileName = "file_name"
        case isAudio = "is_audio"
        case senderID = "sender_id"
        case senderType = "sender_type"
        case clientID = "client_id"
        case isPrivate = "private"
    }

    /// A stored message read back field by field.
    package init(type: String, id: UUID, sessionID: UUID, seq: Int, content: String?, file: String?, fileName: String?, isAudio: Bool,
                 senderID: UUID, senderType: String, clientID: String?, createdAt: Date) {
        self.type = type
        self.id = id
        self.sessionID = sessionID
        self.seq = seq
        self.content = content
        self.file = file
        self.fileName = fileName
        self.isAudio = isAudio
        self.senderID = senderID
        self.senderType = senderType
        self.clientID = clientID
        self.createdAt = createdAt
        self.timestamp = WireTime.iso(createdAt)
    }

    /// A message about to be stored.
    package init(_ pending: PendingMessage, id: UUID, seq: Int, at date: Date) {
        self.id = id
        sessionID = pending.sessionID
        self.seq = seq
        senderID = pending.senderID
        senderType = pending.senderType
        clientID = pending.clientID
        createdAt = date
        timestamp = WireTime.iso(date)
        switch pending.body {
        case .text(let text):
            type = "text"
            content = text
            isAudio = false
        case .file(let url, let name, let audio, _):
            type = "file"
            file = url
            fileName = name
            isAudio = audio
        case .note(let text):
            type = WireMessage.noteType
            content = text
            isAudio = false
        }
    }

    package static let noteType = "note"

    /// A private note of the session's agents (`"private": true` on the wire): never sent to the
    /// visitor, by socket, catch-up or history.
    package var isPrivate: Bool { type == Self.noteType }

    /// The JSON text clients receive, written without `JSONEncoder` (the hot path).
    package var json: String {
        var out = JSONText()
        out.field("type", type)
        out.field("id", id.lowercasedText)
        out.field("session_id", sessionID.lowercasedText)
        out.field("seq", seq)
        out.field("content", content)
        out.field("file", file)
        out.field("file_name", fileName)
        out.field("is_audio", isAudio)
        out.field("sender_id", senderID.lowercasedText)
        out.field("sender_type", senderType)
        if let clientID { out.field("client_id", clientID) }
        out.field("timestamp", timestamp)
        if isPrivate { out.field("private", true) }
        return out.finished()
    }

    /// A message read back from its JSON (another node's broadcast).
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func uuid(_ key: CodingKeys) throws -> UUID {
            guard let id = UUID(text: try c.decode(String.self, forKey: key)) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "not a UUID")
            }
            return id
        }
        let timestamp = try c.decode(String.self, forKey: .timestamp)
        guard let date = WireTime.parse(timestamp) else {
            throw DecodingError.dataCorruptedError(forKey: .timestamp, in: c, debugDescription: "not a timestamp")
        }
        self.init(type: try c.decode(String.self, forKey: .type), id: try uuid(.id), sessionID: try uuid(.sessionID),
                  seq: try c.decode(Int.self, forKey: .seq), content: try c.decodeIfPresent(String.self, forKey: .content),
                  file: try c.decodeIfPresent(String.self, forKey: .file), fileName: try c.decodeIfPresent(String.self, forKey: .fileName),
                  isAudio: try c.decode(Bool.self, forKey: .isAudio), senderID: try uuid(.senderID),
                  senderType: try c.decode(String.self, forKey: .senderType), clientID: try c.decodeIfPresent(String.self, forKey: .clientID),
                  createdAt: date)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encode(id.lowercasedText, forKey: .id)
        try c.encode(sessionID.lowercasedText, forKey: .sessionID)
        try c.encode(seq, forKey: .seq)
        try c.encode(content, forKey: .content)
        try c.encode(file, forKey: .file)
        try c.encode(fileName, forKey: .fileName)
        try c.encode(isAudio, forKey: .isAudio)
        try c.encode(senderID.lowercasedText, forKey: .senderID)
        try c.encode(senderType, forKey: .senderType)
        try c.encodeIfPresent(clientID, forKey: .clientID)
        try c.encode(timestamp, forKey: .timestamp)
        if isPrivate { try c.encode(true, forKey: .isPrivate) }
    }
}
