import Foundation

/// A validated message on its way to the writer.
struct PendingMessage: Sendable {
    enum Body: Sendable {
        case text(String)
        case file(url: String, fileName: String, isAudio: Bool, attachmentID: UUID)
    }

    let sessionID: UUID
    let businessID: UUID
    let body: Body
    let senderID: UUID
    let senderType: String
    let clientID: String?
    /// The socket that sent it: told about a duplicate, a refusal or a failure.
    let origin: SocketConnection?

    func row(seq: Int, at date: Date) -> ChatMessage {
        let message = ChatMessage()
        message.id = UUID()
        message.sessionID = sessionID
        message.seq = seq
        message.senderID = senderID
        message.senderType = senderType
        message.clientID = clientID
        message.createdAt = date
        message.isAudio = false
        switch body {
        case .text(let content):
            message.type = "text"
            message.content = content
        case .file(let url, let fileName, let isAudio, let attachmentID):
            message.type = "file"
            message.file = url
            message.fileName = fileName
            message.isAudio = isAudio
            message.attachmentID = attachmentID
        }
        return message
    }

    var duplicateKey: DuplicateKey? {
        clientID.map { DuplicateKey(sessionID: sessionID, senderID: senderID, clientID: $0) }
    }

    struct DuplicateKey: Hashable {
        let sessionID: UUID
        let senderID: UUID
        let clientID: String
    }
}
