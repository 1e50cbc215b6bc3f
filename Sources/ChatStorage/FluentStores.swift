import ChatDomain
import Fluent

/// Every port of the domain over one Fluent database (SQLite or PostgreSQL), a store per port.
package enum FluentStores {
    package static func make(db: any Database) -> Stores {
        let directory = FluentDirectoryStore(db: db)
        let history = FluentHistoryStore(db: db)
        return Stores(
            directory: directory, keys: FluentBusinessKeyStore(db: db), visitors: FluentVisitorStore(db: db),
            sessions: FluentSessionStore(db: db), history: history, feed: history, loginFailures: FluentLoginFailureStore(db: db),
            presence: FluentPresenceStore(db: db), cannedResponses: FluentCannedResponseStore(db: db), ratings: FluentRatingStore(db: db),
            reports: FluentReportStore(db: db), search: FluentSearchStore(db: db), webhooks: FluentWebhookStore(db: db),
            privacy: FluentPrivacyStore(db: db), health: directory)
    }
}
