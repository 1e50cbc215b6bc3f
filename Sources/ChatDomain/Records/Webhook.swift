import Foundation

/// A business's subscription: its events are POSTed to `url`, signed with `secret`.
package struct Webhook: Sendable, Equatable {
    package let id: UUID
    package let businessID: UUID
    package let url: String
    /// A subset of `Webhooks.eventNames`, in that order.
    package let events: [String]
    package let secret: String
    package let createdAt: Date

    package init(id: UUID = UUID(), businessID: UUID, url: String, events: [String], secret: String, createdAt: Date = WireTime.now()) {
        self.id = id
        self.businessID = businessID
        self.url = url
        self.events = events
        self.secret = secret
        self.createdAt = createdAt
    }
}

/// One event to deliver to one webhook, retried until a 2xx answer (the same `id` every time).
package struct WebhookDelivery: Sendable, Equatable {
    package let id: UUID
    package let webhookID: UUID
    package let sessionID: UUID?
    package let event: String
    /// The JSON body, exactly as it is signed and sent.
    package let body: String
    /// Tries made before this one.
    package let attempts: Int
    /// Filled when the delivery is claimed for a try.
    package let url: String
    package let secret: String

    package init(id: UUID, webhookID: UUID, sessionID: UUID?, event: String, body: String, attempts: Int, url: String = "", secret: String = "") {
        self.id = id
        self.webhookID = webhookID
        self.sessionID = sessionID
        self.event = event
        self.body = body
        self.attempts = attempts
        self.url = url
        self.secret = secret
    }
}

/// One try of a delivery, as the delivery log shows it.
package struct WebhookAttempt: Sendable, Equatable {
    package let deliveryID: UUID
    package let event: String
    /// The receiver's status; nil when it did not answer (refused, timed out, not allowed).
    package let statusCode: Int?
    package let error: String?
    package let attemptedAt: Date
    /// Where the delivery stands after this try: `pending`, `delivered` or `failed`.
    package let state: String

    package init(deliveryID: UUID, event: String, statusCode: Int?, error: String?, attemptedAt: Date, state: String) {
        self.deliveryID = deliveryID
        self.event = event
        self.statusCode = statusCode
        self.error = error
        self.attemptedAt = attemptedAt
        self.state = state
    }
}

/// A business feed event as stored (what webhooks deliver).
package struct FeedRecord: Sendable, Equatable {
    package let cursor: Int
    package let type: String
    package let payload: String
    package let createdAt: Date

    package init(cursor: Int, type: String, payload: String, createdAt: Date) {
        self.cursor = cursor
        self.type = type
        self.payload = payload
        self.createdAt = createdAt
    }
}
