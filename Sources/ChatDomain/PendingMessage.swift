import Foundation

/// A checked chat message on its way to the writer (`MessageFlow.swift` says how it got here).
package struct PendingMessage: Sendable {
    package enum Body: Sendable {
        case text(String)
        case file(url: String, fileName: String, isAudio: Bool, attachmentID: UUID)
        /// A private note: agents only, never shown to the visitor by any path.
        case note(String)
    }

    package let sessionID: UUID
    package let businessID: UUID
    package let body: Body
    package let senderID: UUID
    package let senderType: String
    package let clientID: String?
    /// Who sent it: told about a repeat, a refusal or a failure.
    package let origin: (any MessageOrigin)?
    /// When it reached the server (for the broadcast latency metric).
    package var receivedAt = ContinuousClock.now

    package init(sessionID: UUID, businessID: UUID, body: Body, senderID: UUID, senderType: String, clientID: String?,
                 origin: (any MessageOrigin)?) {
        self.sessionID = sessionID
        self.businessID = businessID
        self.body = body
        self.senderID = senderID
        self.senderType = senderType
        self.clientID = clientID
        self.origin = origin
    }

    package var duplicateKey: DuplicateKey? {
        clientID.map { DuplicateKey(sessionID: sessionID, senderID: senderID, clientID: $0) }
    }

    package struct DuplicateKey: Hashable, Sendable {
        package let sessionID: UUID
        package let senderID: UUID
        package let clientID: String

        package init(sessionID: UUID, senderID: UUID, clientID: String) {
            self.sessionID = sessionID
            self.senderID = senderID
            self.clientID = clientID
        }
    }
}

/// The sender of a message, told what became of it when that is not the broadcast (the
/// socket it came from, in the realtime layer).
package protocol MessageOrigin: Sendable {
    /// The message repeats one already stored (same `client_id`): here is the stored one.
    func repeated(_ stored: WireMessage)
    /// The message was refused: the session had ended, it could not be stored, the server stops.
    func refused(_ error: ChatError)
}
