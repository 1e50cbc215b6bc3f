import ChatDomain
import Fluent
import Foundation

/// An uploaded file, bound to a session. `storedName` is the random name on disk and in the URL.
/// `@unchecked Sendable`: see `BusinessModel`.
final class AttachmentModel: Model, @unchecked Sendable {
    static let schema = "attachments"

    @ID(key: .id) var id: UUID?
    @Field(key: "session_id") var sessionID: UUID
    @Field(key: "stored_name") var storedName: String
    @Field(key: "url") var url: String
    @Field(key: "file_name") var fileName: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "size") var size: Int
    @OptionalField(key: "message_id") var messageID: UUID?
    @OptionalField(key: "uploaded_by_end_user") var uploadedByEndUser: UUID?
    @OptionalField(key: "uploaded_by_agent") var uploadedByAgent: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(_ attachment: Attachment) {
        id = attachment.id
        sessionID = attachment.sessionID
        storedName = attachment.storedName
        url = attachment.url
        fileName = attachment.fileName
        contentType = attachment.contentType
        size = attachment.size
        messageID = attachment.messageID
        uploadedByEndUser = attachment.uploadedByEndUser
        uploadedByAgent = attachment.uploadedByAgent
        createdAt = attachment.createdAt
    }

    var record: Attachment {
        Attachment(id: id ?? UUID(), sessionID: sessionID, storedName: storedName, url: url, fileName: fileName,
                   contentType: contentType, size: size, messageID: messageID, uploadedByEndUser: uploadedByEndUser,
                   uploadedByAgent: uploadedByAgent, createdAt: createdAt)
    }
}
