import Foundation

/// A session's history: messages (by `seq`) and attachments (by upload time), merged oldest first.
package enum Timeline {
    package static let defaultLimit = 500
    package static let maxLimit = 1000

    package enum Item: Encodable, Sendable {
        case message(WireMessage)
        case attachment(WireAttachment)

        private enum CodingKeys: String, CodingKey { case type, data }

        package func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .message(let message):
                try c.encode("message", forKey: .type)
                try c.encode(message, forKey: .data)
            case .attachment(let attachment):
                try c.encode("attachment", forKey: .type)
                try c.encode(attachment, forKey: .data)
            }
        }
    }
}

extension InboxService {
    /// A session's history for `caller`: the items after message `after` (when given), at most
    /// `limit` messages and the attachments uploaded up to the last of them (all later ones when
    /// this is the last page).
    package func timeline(of id: UUID, as caller: Identity?, after: UUID?, limit: Int) async throws -> [Timeline.Item] {
        let session = try await sessionAccess.session(id)
        if let caller { try SessionAccess.require(caller, on: session) }
        // Private notes are the agents' (and the platform admin's); a visitor's history has none.
        let includingPrivate = caller.map { !$0.isVisitor } ?? false
        var afterSeq = 0
        var since: Date?
        if let after {
            guard let anchor = try await historyStore.message(after), anchor.sessionID == id, includingPrivate || !anchor.isPrivate else {
                throw ChatError.invalid("after", "Unknown message id for this session.")
            }
            afterSeq = anchor.seq
            since = anchor.createdAt
        }
        let messages = try await historyStore.messages(of: id, after: afterSeq, limit: limit + 1, includingPrivate: includingPrivate)
        let page = Array(messages.prefix(limit))
        let until = messages.count > limit ? page.last?.createdAt : nil
        let files = try await historyStore.attachments(of: id, since: since, until: until)

        var merged: [Timeline.Item] = []
        var fileIndex = 0
        for message in page {
            while fileIndex < files.count, files[fileIndex].createdAt <= message.createdAt {
                merged.append(.attachment(WireAttachment(files[fileIndex])))
                fileIndex += 1
            }
            merged.append(.message(message))
        }
        merged += files[fileIndex...].map { .attachment(WireAttachment($0)) }
        return merged
    }
}

/// An attachment as history and the upload answer show it.
package struct WireAttachment: Encodable, Sendable {
    let id: String
    let file: String
    let fileName: String
    let contentType: String
    let size: Int
    let message: String?
    let uploadedByEndUser: String?
    let uploadedByAgent: String?
    let sessionID: String
    let timestamp: String

    enum CodingKeys: String, CodingKey {
        case id, file, size, message, timestamp
        case fileName = "file_name"
        case contentType = "content_type"
        case uploadedByEndUser = "uploaded_by_end_user"
        case uploadedByAgent = "uploaded_by_agent"
        case sessionID = "session_id"
    }

    package init(_ attachment: Attachment) {
        id = attachment.id.lowercasedText
        file = attachment.url
        fileName = attachment.fileName
        contentType = attachment.contentType
        size = attachment.size
        message = attachment.messageID?.lowercasedText
        uploadedByEndUser = attachment.uploadedByEndUser?.lowercasedText
        uploadedByAgent = attachment.uploadedByAgent?.lowercasedText
        sessionID = attachment.sessionID.lowercasedText
        timestamp = WireTime.iso(attachment.createdAt)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(file, forKey: .file)
        try c.encode(fileName, forKey: .fileName)
        try c.encode(contentType, forKey: .contentType)
        try c.encode(size, forKey: .size)
        try c.encode(message, forKey: .message)
        try c.encode(uploadedByEndUser, forKey: .uploadedByEndUser)
        try c.encode(uploadedByAgent, forKey: .uploadedByAgent)
        try c.encode(sessionID, forKey: .sessionID)
        try c.encode(timestamp, forKey: .timestamp)
    }
}
