import Foundation

/// Webhooks (CONTRACT.md, "Webhooks"): what may be subscribed, what a delivery's body is, and
/// when a failed try is tried again.
package enum Webhooks {
    /// The events a webhook may hear, in the order they are listed.
    package static let eventNames = ["session_started", "message", "session_ended", "session_rated"]
    package static let maxURLLength = 2000
    package static let maxPerBusiness = 20
    /// Tries in all: the first, then after 1, 2, 4 … 64 s (about two minutes), then `failed`.
    package static let maxAttempts = 8
    package static let timeout: Duration = .seconds(10)
    /// How long a claimed delivery is held by the node trying it (a node that dies mid-try lets
    /// another try it after this).
    package static let lease: TimeInterval = 30
    /// Finished deliveries and the log are kept this long.
    package static let logDays: TimeInterval = 7

    /// The wait before the try after `attempts` failed ones.
    package static func backoff(after attempts: Int) -> TimeInterval {
        pow(2, Double(max(0, min(attempts - 1, 10))))
    }

    /// The events named in `raw` (a non-empty JSON list of known names), in `eventNames` order.
    package static func events(_ raw: [String]?) throws -> [String] {
        guard let raw, !raw.isEmpty else { throw ChatError.invalid("events", "Name at least one of \(eventNames.joined(separator: ", ")).") }
        for name in raw where !eventNames.contains(name) {
            throw ChatError.invalid("events", "Unknown event \"\(name.prefix(40))\": use \(eventNames.joined(separator: ", ")).")
        }
        return eventNames.filter(raw.contains)
    }

    /// `raw` if it is an absolute http or https URL (`WebURL`).
    package static func url(_ raw: String?) throws -> String {
        guard let raw, !raw.isEmpty else { throw ChatError.invalid("url", "This field is required.") }
        return try WebURL.check(raw, field: "url", maxLength: maxURLLength)
    }

    /// A new webhook's secret: 32 random bytes, hex.
    package static func newSecret() -> String {
        "whsec_" + RandomToken.hex(bytes: 32)
    }

    /// The delivery of feed event `event` to `webhook`, or nil when it does not hear that event (or
    /// it is a private note: never sent).
    package static func delivery(of event: FeedRecord, to webhook: Webhook) -> WebhookDelivery? {
        // `message` is the message in a `message` event, a sentence in `session_ended`.
        guard webhook.events.contains(event.type),
              let object = (try? JSONSerialization.jsonObject(with: Data(event.payload.utf8))) as? [String: Any],
              (object["message"] as? [String: Any])?["private"] as? Bool != true else { return nil }
        let id = UUID()
        var body = JSONText()
        body.field("id", id.lowercasedText)
        body.field("event", event.type)
        body.field("business", webhook.businessID.lowercasedText)
        body.field("timestamp", WireTime.iso(event.createdAt))
        body.field("data", raw: event.payload)
        return WebhookDelivery(id: id, webhookID: webhook.id, sessionID: (object["session_id"] as? String).flatMap(UUID.init(uuidString:)),
                               event: event.type, body: body.finished(), attempts: 0)
    }
}

package struct WebhookService: Sendable {
    let webhookStore: any WebhookStore

    package func createWebhook(in business: UUID, url rawURL: String?, events rawEvents: [String]?, sender: any WebhookSender) async throws -> Webhook {
        let url = try Webhooks.url(rawURL)
        let events = try Webhooks.events(rawEvents)
        guard try await webhookStore.webhooks(of: business).count < Webhooks.maxPerBusiness else {
            throw ChatError.invalid("url", "A business has at most \(Webhooks.maxPerBusiness) webhooks.")
        }
        try await sender.checkDestination(url)
        let webhook = Webhook(businessID: business, url: url, events: events, secret: Webhooks.newSecret())
        try await webhookStore.insert(webhook)
        return webhook
    }

    package func webhook(_ id: UUID, in business: UUID) async throws -> Webhook {
        guard let webhook = try await webhookStore.webhook(id), webhook.businessID == business else { throw ChatError.webhookNotFound }
        return webhook
    }

    package func webhooks(of business: UUID) async throws -> [Webhook] {
        try await webhookStore.webhooks(of: business)
    }

    package func deleteWebhook(_ id: UUID, in business: UUID) async throws {
        _ = try await webhook(id, in: business)
        try await webhookStore.deleteWebhook(id)
    }

    package static let webhookLogLimit = 100

    package func webhookAttempts(_ id: UUID, in business: UUID) async throws -> [WebhookAttempt] {
        _ = try await webhook(id, in: business)
        return try await webhookStore.attempts(of: id, limit: Self.webhookLogLimit)
    }
}
