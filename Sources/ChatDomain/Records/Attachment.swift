import Foundation

/// An uploaded file, bound to a session. `storedName` is its random name in the file store and in its URL.
package struct Attachment: Sendable, Equatable {
    package var id: UUID
    package var sessionID: UUID
    package var storedName: String
    package var url: String
    package var fileName: String
    package var contentType: String
    package var size: Int
    package var messageID: UUID?
    package var uploadedByEndUser: UUID?
    package var uploadedByAgent: UUID?
    package var createdAt: Date

    package init(id: UUID = UUID(), sessionID: UUID, storedName: String, url: String, fileName: String, contentType: String,
                 size: Int, messageID: UUID?, uploadedByEndUser: UUID?, uploadedByAgent: UUID?, createdAt: Date = WireTime.now()) {
        self.id = id
        self.sessionID = sessionID
        self.storedName = storedName
        self.url = url
        self.fileName = fileName
        self.contentType = contentType
        self.size = size
        self.messageID = messageID
        self.uploadedByEndUser = uploadedByEndUser
        self.uploadedByAgent = uploadedByAgent
        self.createdAt = createdAt
    }
}
