import Foundation

/// The chat's rules and what they run on, built once at boot: each use case is an extension in a
/// file named for it (`StartSession.swift`, `Assignment.swift`, `Inbox.swift`, …), and what
/// happens to a message is in `MessageFlow.swift`.
package struct Chat: Sendable {
    package let store: any ChatStore
    package let log: any EventLog
    package let files: any AttachmentFiles
    package let tokens: any TokenService
    package let hasher: any PasswordHasher
    package let presence: Presence
    package let logins: LoginThrottle
    package let settings: ChatSettings

    package init(store: any ChatStore, log: any EventLog, files: any AttachmentFiles, tokens: any TokenService,
                 hasher: any PasswordHasher, presence: Presence, logins: LoginThrottle, settings: ChatSettings) {
        self.store = store
        self.log = log
        self.files = files
        self.tokens = tokens
        self.hasher = hasher
        self.presence = presence
        self.logins = logins
        self.settings = settings
    }
}

/// The limits and lifetimes the rules apply (from the server's settings).
package struct ChatSettings: Sendable {
    /// Longest text message, in characters after trimming.
    package var maxTextLength: Int
    /// Largest upload, in bytes.
    package var maxUploadBytes: Int
    /// Files and bytes one session may hold (0: no quota).
    package var maxUploadsPerSession: Int
    package var maxUploadBytesPerSession: Int
    package var visitorTokenLifetime: TimeInterval
    package var agentTokenLifetime: TimeInterval

    package init(maxTextLength: Int, maxUploadBytes: Int, maxUploadsPerSession: Int = 0, maxUploadBytesPerSession: Int = 0,
                 visitorTokenLifetime: TimeInterval, agentTokenLifetime: TimeInterval) {
        self.maxTextLength = maxTextLength
        self.maxUploadBytes = maxUploadBytes
        self.maxUploadsPerSession = maxUploadsPerSession
        self.maxUploadBytesPerSession = maxUploadBytesPerSession
        self.visitorTokenLifetime = visitorTokenLifetime
        self.agentTokenLifetime = agentTokenLifetime
    }
}
