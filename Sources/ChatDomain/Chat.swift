import Foundation

/// The chat's rules, built once at boot from the ports: a small service per feature, each holding
/// only the ports it uses (`AccessService.swift`, `SessionService.swift`, `AssignmentService.swift`, …); what
/// happens to a message is in `MessageFlow.swift`. The transports call these services, never a store.
package struct Chat: Sendable {
    /// Tokens, logins, and who a token belongs to.
    package let access: AccessService
    /// Businesses, departments, agents, the demo.
    package let team: TeamService
    /// A business's settings, and the widget's view of them.
    package let businessSettings: SettingsService
    /// Reading a session as a caller may, and ending it.
    package let sessionAccess: SessionAccess
    /// Starting sessions.
    package let sessions: SessionService
    package let assignment: AssignmentService
    /// The inbox, session summaries, a session's timeline.
    package let inbox: InboxService
    /// What a socket may open and read, and read markers.
    package let sockets: SocketService
    package let uploads: UploadService
    package let cannedResponses: CannedResponseService
    package let ratings: RatingService
    package let reports: ReportService
    package let search: SearchService
    package let webhooks: WebhookService
    package let privacy: PrivacyService
    package let keys: KeyService
    package let health: HealthCheck
    /// The message writer: the sockets hand it their checked messages (`MessageFlow`).
    package let log: any EventLog
    package let presence: Presence
    package let settings: ChatSettings

    package init(stores: Stores, log: any EventLog, files: any AttachmentFiles, tokens: any TokenService,
                 hasher: any PasswordHasher, presence: Presence, logins: LoginThrottle, settings: ChatSettings) {
        self.log = log
        self.presence = presence
        self.settings = settings
        access = AccessService(directoryStore: stores.directory, keyStore: stores.keys, loginFailureStore: stores.loginFailures,
                               tokens: tokens, hasher: hasher, logins: logins, settings: settings)
        team = TeamService(directoryStore: stores.directory, hasher: hasher)
        businessSettings = SettingsService(directoryStore: stores.directory, presence: presence, team: team)
        sessionAccess = SessionAccess(sessionStore: stores.sessions, log: log)
        assignment = AssignmentService(directoryStore: stores.directory, sessionStore: stores.sessions, log: log, presence: presence)
        sessions = SessionService(directoryStore: stores.directory, sessionStore: stores.sessions, visitorStore: stores.visitors,
                                  log: log, tokens: tokens, settings: settings, assignment: assignment)
        inbox = InboxService(historyStore: stores.history, sessionStore: stores.sessions, files: files, presence: presence,
                             sessionAccess: sessionAccess)
        sockets = SocketService(directoryStore: stores.directory, feedStore: stores.feed, historyStore: stores.history,
                                sessionStore: stores.sessions, access: access)
        uploads = UploadService(historyStore: stores.history, sessionStore: stores.sessions, visitorStore: stores.visitors, files: files,
                                settings: settings, sessionAccess: sessionAccess)
        cannedResponses = CannedResponseService(cannedStore: stores.cannedResponses)
        ratings = RatingService(ratingStore: stores.ratings, log: log, sessionAccess: sessionAccess)
        reports = ReportService(reportStore: stores.reports)
        search = SearchService(searchStore: stores.search)
        webhooks = WebhookService(webhookStore: stores.webhooks)
        privacy = PrivacyService(directoryStore: stores.directory, historyStore: stores.history, privacyStore: stores.privacy,
                                 ratingStore: stores.ratings, visitorStore: stores.visitors, log: log, files: files, settings: settings)
        keys = KeyService(directoryStore: stores.directory, keyStore: stores.keys, tokens: tokens)
        health = HealthCheck(store: stores.health, log: log)
    }
}

/// The ports the rules read and write through, one per feature (the storage layer provides
/// them; the tests have in-memory fakes).
package struct Stores: Sendable {
    package var directory: any DirectoryStore
    package var keys: any BusinessKeyStore
    package var visitors: any VisitorStore
    package var sessions: any SessionStore
    package var history: any HistoryStore
    package var feed: any FeedStore
    package var loginFailures: any LoginFailureStore
    package var presence: any PresenceStore
    package var cannedResponses: any CannedResponseStore
    package var ratings: any RatingStore
    package var reports: any ReportStore
    package var search: any SearchStore
    package var webhooks: any WebhookStore
    package var privacy: any PrivacyStore
    package var health: any HealthStore

    package init(directory: any DirectoryStore, keys: any BusinessKeyStore, visitors: any VisitorStore, sessions: any SessionStore,
                 history: any HistoryStore, feed: any FeedStore, loginFailures: any LoginFailureStore, presence: any PresenceStore,
                 cannedResponses: any CannedResponseStore, ratings: any RatingStore, reports: any ReportStore, search: any SearchStore,
                 webhooks: any WebhookStore, privacy: any PrivacyStore, health: any HealthStore) {
        self.directory = directory
        self.keys = keys
        self.visitors = visitors
        self.sessions = sessions
        self.history = history
        self.feed = feed
        self.loginFailures = loginFailures
        self.presence = presence
        self.cannedResponses = cannedResponses
        self.ratings = ratings
        self.reports = reports
        self.search = search
        self.webhooks = webhooks
        self.privacy = privacy
        self.health = health
    }

    /// Every port from one object that provides them all (the in-memory fake of the tests).
    package init(all store: any ChatStore & WebhookStore) {
        self.init(directory: store, keys: store, visitors: store, sessions: store, history: store, feed: store, loginFailures: store,
                  presence: store, cannedResponses: store, ratings: store, reports: store, search: store, webhooks: store, privacy: store,
                  health: store)
    }
}

/// Whether the database answers, and the writer commits (for `/health`).
package struct HealthCheck: Sendable {
    let store: any HealthStore
    let log: any EventLog

    /// Answers when the database does.
    package func ping() async throws { try await store.ping() }
    /// Answers when the database takes a write.
    package func probeWrite() async throws { try await store.probeWrite() }
    /// True while the database refuses the writer.
    package var writerFailing: Bool { log.isFailing }
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
