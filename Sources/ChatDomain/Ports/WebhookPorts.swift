import Foundation

/// The webhooks, their outbox (`webhook_deliveries`: a restart loses nothing) and delivery log.
package protocol WebhookStore: Sendable {
    /// Stores `webhook`; it hears the business's events stored from now on.
    func insert(_ webhook: Webhook) async throws
    func webhook(_ id: UUID) async throws -> Webhook?
    /// A business's webhooks, oldest first.
    func webhooks(of business: UUID) async throws -> [Webhook]
    /// Deletes it, its pending deliveries and its log.
    func deleteWebhook(_ id: UUID) async throws
    /// The webhooks whose business has feed events past what they have taken in, and how far they are.
    func webhooksBehind() async throws -> [(webhook: Webhook, position: Int)]
    /// The business's feed events after `cursor`, oldest first.
    func feed(of business: UUID, after cursor: Int, limit: Int) async throws -> [FeedRecord]
    /// Stores `deliveries` and moves the webhook from feed position `from` to `to`, in one
    /// transaction; false (nothing stored) when it is no longer at `from` (another node took them in).
    func enqueue(_ deliveries: [WebhookDelivery], webhook: UUID, from: Int, to: Int) async throws -> Bool
    /// Up to `limit` pending deliveries due at `now`, each held until `lease` (no other node tries
    /// it meanwhile), with their webhook's URL and secret.
    func claimDeliveries(dueAt now: Date, lease: Date, limit: Int) async throws -> [WebhookDelivery]
    /// Logs a try and sets the delivery's state: `delivered`, `failed`, or pending again at `retryAt`.
    func record(_ attempt: WebhookAttempt, of webhook: UUID, retryAt: Date?) async throws
    /// A webhook's latest tries, newest first.
    func attempts(of webhook: UUID, limit: Int) async throws -> [WebhookAttempt]
    /// Forgets finished deliveries and tries older than `date`.
    func pruneWebhookLog(before date: Date) async throws
}

/// Sends deliveries over HTTP (the transport implements it).
package protocol WebhookSender: Sendable {
    /// Refuses (`ChatError.invalid("url", …)`) a URL whose host resolves to a loopback, private or
    /// link-local address, unless the deployment allows them.
    func checkDestination(_ url: String) async throws
    /// POSTs `body` to `url`, signed with `secret` at `time`: the receiver's status, or why there was none.
    func post(_ body: String, to url: String, secret: String, at time: Date) async -> WebhookAnswer
}

/// What a receiver answered.
package enum WebhookAnswer: Sendable, Equatable {
    case status(Int)
    case failed(String)
}
