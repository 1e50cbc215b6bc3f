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
    /// When it reached the server (for the broadcast latency metric).
    var receivedAt = ContinuousClock.now

    var duplicateKey: DuplicateKey? {
        clientID.map { DuplicateKey(sessionID: sessionID, senderID: senderID, clientID: $0) }
    }

    struct DuplicateKey: Hashable {
        let sessionID: UUID
        let senderID: UUID
        let clientID: String
    }
}
