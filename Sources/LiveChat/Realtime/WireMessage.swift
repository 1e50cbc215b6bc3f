import Foundation

/// A stored chat message as clients see it: the seed's broadcast fields plus `id`, `seq`,
/// `sender_type`, `session_id` and the sender's `client_id`. History items use the same shape;
/// every field is present (null where it does not apply: `content` of a file, `file` of a text).
struct WireMessage: Encodable, Sendable, Equatable {
    var type: String
    var id: UUID
    var sessionID: UUID
    var seq: Int
    var content: String?
    var file: String?
    var fileName: String?
    var isAudio: Bool
    var senderID: UUID
    var senderType: String
    var clientID: String?
    var timestamp: String

    enum CodingKeys: String, CodingKey {
        case type, id, seq, content, file, timestamp
        case sessionID = "session_id"
        case fileName = "file_name"
        case isAudio = "is_audio"
        case senderID = "sender_id"
        case senderType = "sender_type"
        case clientID = "client_id"
    }

    /// A stored message read back field by field.
    init(type: String, id: UUID, sessionID: UUID, seq: Int, content: String?, file: String?, fileName: String?, isAudio: Bool,
         senderID: UUID, senderType: String, clientID: String?, timestamp: String) {
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
        self.timestamp = timestamp
    }

    /// A message about to be stored.
    init(_ pending: PendingMessage, id: UUID, seq: Int, at date: Date) {
        self.id = id
        sessionID = pending.sessionID
        self.seq = seq
        senderID = pending.senderID
        senderType = pending.senderType
        clientID = pending.clientID
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
        }
    }

    /// The JSON text clients receive, written without `JSONEncoder` (the hot path).
    var json: String {
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
        return out.finished()
    }

    init(_ message: ChatMessage) {
        type = message.type
        id = message.id ?? UUID()
        sessionID = message.sessionID
        seq = message.seq
        content = message.content
        file = message.file
        fileName = message.fileName
        isAudio = message.isAudio
        senderID = message.senderID
        senderType = message.senderType
        clientID = message.clientID
        timestamp = WireTime.iso(message.createdAt)
    }

    func encode(to encoder: any Encoder) throws {
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
    }
}

/// Frames the server sends that are not chat messages.
enum ServerFrame {
    static func connectionEstablished(_ session: UUID) -> [String: String] {
        ["type": "connection_established", "session_id": session.lowercasedText]
    }

    static func sessionEnded(_ session: UUID, at date: Date) -> [String: String] {
        ["type": "session_ended", "message": "The session has ended.", "timestamp": WireTime.iso(date),
         "session_id": session.lowercasedText]
    }

    static func error(_ message: String) -> [String: String] {
        ["type": "error", "message": message]
    }

    static let endedError = "This session has ended. No further communication is allowed."
}
