import ChatDomain
import Fluent
import Foundation

/// A stored chat message (`text` or `file`), numbered by `seq` within its session.
/// `@unchecked Sendable`: see `BusinessModel`.
final class ChatMessageModel: Model, @unchecked Sendable {
    static let schema = "chat_messages"

    @ID(key: .id) var id: UUID?
    @Field(key: "session_id") var sessionID: UUID
    @Field(key: "seq") var seq: Int
    @Field(key: "type") var type: String
    @OptionalField(key: "content") var content: String?
    @OptionalField(key: "file") var file: String?
    @OptionalField(key: "file_name") var fileName: String?
    @Field(key: "is_audio") var isAudio: Bool
    @OptionalField(key: "attachment_id") var attachmentID: UUID?
    @Field(key: "sender_id") var senderID: UUID
    @Field(key: "sender_type") var senderType: String
    @OptionalField(key: "client_id") var clientID: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    /// A stored message as clients see it.
    var record: WireMessage {
        WireMessage(type: type, id: id ?? UUID(), sessionID: sessionID, seq: seq, content: content, file: file, fileName: fileName,
                    isAudio: isAudio, senderID: senderID, senderType: senderType, clientID: clientID, createdAt: createdAt)
    }
}
