import Foundation
@testable import ChatDomain

/// `WebhookStore`: webhooks (each with its position in its business's feed), the outbox of
/// deliveries and the log of tries.
extension InMemoryStore: WebhookStore {
    /// It starts at the business's last feed event: it hears what is stored from now on.
    func insert(_ webhook: Webhook) async throws {
        try withTables { tables in
            guard !tables.webhooks.contains(where: { $0.webhook.id == webhook.id }) else { throw FakeStoreError.uniqueViolation("webhooks.id") }
            try tables.requireBusiness(webhook.businessID)
            tables.webhooks.append(Tables.WebhookRow(webhook: webhook, position: tables.latestCursor(of: webhook.businessID)))
        }
    }

    func webhook(_ id: UUID) async throws -> Webhook? {
        reading { $0.webhooks.first { $0.webhook.id == id }?.webhook }
    }

    func webhooks(of business: UUID) async throws -> [Webhook] {
        reading { $0.webhooks.map(\.webhook).filter { $0.businessID == business } }
            .sorted { ($0.createdAt, $0.id.uuidString) < ($1.createdAt, $1.id.uuidString) }
    }

    func deleteWebhook(_ id: UUID) async throws {
        reading { tables in
            tables.attempts.removeAll { $0.webhookID == id }
            tables.deliveries.removeAll { $0.delivery.webhookID == id }
            tables.webhooks.removeAll { $0.webhook.id == id }
        }
    }

    func webhooksBehind() async throws -> [(webhook: Webhook, position: Int)] {
        reading { tables in
            tables.webhooks.filter { tables.latestCursor(of: $0.webhook.businessID) > $0.position }.map { ($0.webhook, $0.position) }
        }
    }

    func feed(of business: UUID, after cursor: Int, limit: Int) async throws -> [FeedRecord] {
        reading { tables in
            tables.feed.filter { $0.business == business && $0.cursor > cursor }.sorted { $0.cursor < $1.cursor }.prefix(limit)
                .map { FeedRecord(cursor: $0.cursor, type: $0.type, payload: $0.payload, createdAt: $0.createdAt) }
        }
    }

    func enqueue(_ deliveries: [WebhookDelivery], webhook: UUID, from: Int, to: Int) async throws -> Bool {
        let now = WireTime.now()
        return reading { tables in
            guard let index = tables.webhooks.firstIndex(where: { $0.webhook.id == webhook && $0.position == from }) else { return false }
            tables.webhooks[index].position = to
            tables.deliveries += deliveries.map {
                Tables.DeliveryRow(delivery: $0, state: "pending", attempts: 0, nextAttemptAt: now, createdAt: now, finishedAt: nil)
            }
            return true
        }
    }

    /// Due pending deliveries, soonest first, leased until `lease`, with their webhook's URL and secret.
    func claimDeliveries(dueAt now: Date, lease: Date, limit: Int) async throws -> [WebhookDelivery] {
        reading { tables in
            let due = tables.deliveries.indices.filter { tables.deliveries[$0].state == "pending" && tables.deliveries[$0].nextAttemptAt <= now }
                .sorted { tables.deliveries[$0].nextAttemptAt < tables.deliveries[$1].nextAttemptAt }.prefix(limit)
            return due.map { index in
                tables.deliveries[index].nextAttemptAt = lease
                let row = tables.deliveries[index]
                let hook = tables.webhooks.first { $0.webhook.id == row.delivery.webhookID }?.webhook
                return WebhookDelivery(id: row.delivery.id, webhookID: row.delivery.webhookID, sessionID: row.delivery.sessionID,
                                       event: row.delivery.event, body: row.delivery.body, attempts: row.attempts,
                                       url: hook?.url ?? "", secret: hook?.secret ?? "")
            }
        }
    }

    func record(_ attempt: WebhookAttempt, of webhook: UUID, retryAt: Date?) async throws {
        reading { tables in
            // Erased or deleted meanwhile: nothing to log.
            guard let index = tables.deliveries.firstIndex(where: { $0.delivery.id == attempt.deliveryID }) else { return }
            tables.deliveries[index].attempts += 1
            tables.deliveries[index].state = attempt.state
            tables.deliveries[index].nextAttemptAt = retryAt ?? attempt.attemptedAt
            tables.deliveries[index].finishedAt = retryAt == nil ? attempt.attemptedAt : nil
            tables.attempts.append(Tables.AttemptRow(webhookID: webhook, attempt: attempt))
        }
    }

    /// Newest first, each with its delivery's state now.
    func attempts(of webhook: UUID, limit: Int) async throws -> [WebhookAttempt] {
        reading { tables in
            tables.attempts.filter { $0.webhookID == webhook }.compactMap { row -> WebhookAttempt? in
                guard let delivery = tables.deliveries.first(where: { $0.delivery.id == row.attempt.deliveryID }) else { return nil }
                let a = row.attempt
                return WebhookAttempt(deliveryID: a.deliveryID, event: a.event, statusCode: a.statusCode, error: a.error,
                                      attemptedAt: a.attemptedAt, state: delivery.state)
            }
        }.sorted { $0.attemptedAt > $1.attemptedAt }.prefix(limit).map { $0 }
    }

    func pruneWebhookLog(before date: Date) async throws {
        reading { tables in
            tables.attempts.removeAll { $0.attempt.attemptedAt < date }
            let finished = Set(tables.deliveries.filter { $0.state != "pending" && ($0.finishedAt.map { $0 < date } ?? false) }.map(\.delivery.id))
            tables.deliveries.removeAll { finished.contains($0.delivery.id) }
            tables.attempts.removeAll { finished.contains($0.attempt.deliveryID) }
        }
    }

    /// Test reading: the outbox, oldest first (each delivery with its state and tries).
    func outbox() -> [(delivery: WebhookDelivery, state: String, attempts: Int)] {
        reading { $0.deliveries.map { ($0.delivery, $0.state, $0.attempts) } }
    }
}
