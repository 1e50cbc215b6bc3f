import ChatDomain
import ChatRealtime
import Vapor

/// `POST`/`GET /chat/webhooks/`, `DELETE /chat/webhooks/<id>/`, `GET /chat/webhooks/<id>/deliveries/`:
/// a business admin's webhooks and their delivery log. The secret is shown once, at creation.
package struct WebhooksController: RouteCollection {
    struct Payload: Encodable, Sendable {
        let webhook: Webhook
        let showSecret: Bool

        func encode(to encoder: any Encoder) throws {
            enum Keys: String, CodingKey { case id, url, events, created_at, secret }
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(webhook.id.lowercasedText, forKey: .id)
            try c.encode(webhook.url, forKey: .url)
            try c.encode(webhook.events, forKey: .events)
            try c.encode(WireTime.iso(webhook.createdAt), forKey: .created_at)
            if showSecret { try c.encode(webhook.secret, forKey: .secret) }
        }
    }

    struct AttemptPayload: Encodable, Sendable {
        let attempt: WebhookAttempt

        func encode(to encoder: any Encoder) throws {
            enum Keys: String, CodingKey { case event_id, event, status_code, error, attempted_at, state }
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(attempt.deliveryID.lowercasedText, forKey: .event_id)
            try c.encode(attempt.event, forKey: .event)
            try c.encode(attempt.statusCode, forKey: .status_code)
            try c.encode(attempt.error, forKey: .error)
            try c.encode(WireTime.iso(attempt.attemptedAt), forKey: .attempted_at)
            try c.encode(attempt.state, forKey: .state)
        }
    }

    package init() {}

    package func boot(routes: any RoutesBuilder) throws {
        let webhooks = routes.grouped("chat", "webhooks")
        webhooks.post(use: create)
        webhooks.get(use: list)
        webhooks.delete(":webhook", use: delete)
        webhooks.get(":webhook", "deliveries", use: deliveries)
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let business = try await req.managedBusiness().id
        let fields = try req.jsonFields()
        let url = try fields.string("url", maxLength: Webhooks.maxURLLength + 1)
        let events = try fields.stringList("events")
        let webhook = try await req.chat.webhooks.createWebhook(in: business, url: url, events: events, sender: req.application.webhookSender)
        return try Envelope(message: "Webhook created successfully", data: Payload(webhook: webhook, showSecret: true)).response(status: .created)
    }

    @Sendable
    func list(req: Request) async throws -> Response {
        let business = try await req.managedBusiness().id
        let webhooks = try await req.chat.webhooks.webhooks(of: business)
        return try Envelope(message: "Webhooks fetched successfully", data: webhooks.map { Payload(webhook: $0, showSecret: false) }).response()
    }

    @Sendable
    func delete(req: Request) async throws -> Response {
        let business = try await req.managedBusiness().id
        try await req.chat.webhooks.deleteWebhook(try webhookID(req), in: business)
        return Response(status: .noContent)
    }

    @Sendable
    func deliveries(req: Request) async throws -> Response {
        let business = try await req.managedBusiness().id
        let attempts = try await req.chat.webhooks.webhookAttempts(try webhookID(req), in: business)
        return try Envelope(message: "Webhook deliveries fetched successfully", data: attempts.map(AttemptPayload.init)).response()
    }

    private func webhookID(_ req: Request) throws -> UUID {
        guard let raw = req.parameters.get("webhook"), let id = UUID(text: raw) else { throw ChatError.webhookNotFound }
        return id
    }
}

extension Application {
    private struct WebhookSenderKey: StorageKey {
        typealias Value = any WebhookSender
    }

    /// Set once by `configure`.
    package var webhookSender: any WebhookSender {
        get {
            guard let sender = storage[WebhookSenderKey.self] else { fatalError("configure(_:config:) has not run: webhook sender missing") }
            return sender
        }
        set { storage[WebhookSenderKey.self] = newValue }
    }
}
