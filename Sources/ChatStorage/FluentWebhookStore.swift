import ChatDomain
import Fluent
import Foundation
import SQLKit

/// Webhooks, their outbox and log.
package struct FluentWebhookStore: WebhookStore {
    let db: any Database

    package init(db: any Database) {
        self.db = db
    }

    private static let webhookColumns: SQLQueryString = "id, business_id, url, events, secret, created_at"

    private static func webhook(_ row: any SQLRow) throws -> Webhook {
        Webhook(id: try row.decode(column: "id", as: UUID.self), businessID: try row.decode(column: "business_id", as: UUID.self),
                url: try row.decode(column: "url", as: String.self),
                events: try row.decode(column: "events", as: String.self).split(separator: ",").map(String.init),
                secret: try row.decode(column: "secret", as: String.self), createdAt: try row.decode(column: "created_at", as: Date.self))
    }

    /// It starts after the business's last feed event: it hears what is stored from now on.
    package func insert(_ webhook: Webhook) async throws {
        try await db.sql().raw("""
            INSERT INTO webhooks (id, business_id, url, events, secret, feed_position, created_at) VALUES (
                \(bind: webhook.id), \(bind: webhook.businessID), \(bind: webhook.url), \(bind: webhook.events.joined(separator: ",")),
                \(bind: webhook.secret), (SELECT COALESCE(MAX(cursor), 0) FROM feed_events WHERE business_id = \(bind: webhook.businessID)),
                \(bind: webhook.createdAt))
            """).run()
    }

    package func webhook(_ id: UUID) async throws -> Webhook? {
        try await db.sql().raw("SELECT \(Self.webhookColumns) FROM webhooks WHERE id = \(bind: id)").first().map(Self.webhook)
    }

    package func webhooks(of business: UUID) async throws -> [Webhook] {
        try await db.sql().raw("SELECT \(Self.webhookColumns) FROM webhooks WHERE business_id = \(bind: business) ORDER BY created_at, id")
            .all().map(Self.webhook)
    }

    package func deleteWebhook(_ id: UUID) async throws {
        try await db.transaction { tx in
            let sql = try tx.sql()
            try await sql.raw("DELETE FROM webhook_attempts WHERE webhook_id = \(bind: id)").run()
            try await sql.raw("DELETE FROM webhook_deliveries WHERE webhook_id = \(bind: id)").run()
            try await sql.raw("DELETE FROM webhooks WHERE id = \(bind: id)").run()
        }
    }

    package func webhooksBehind() async throws -> [(webhook: Webhook, position: Int)] {
        try await db.sql().raw("""
            SELECT w.id AS id, w.business_id AS business_id, w.url AS url, w.events AS events, w.secret AS secret,
                   w.created_at AS created_at, w.feed_position AS feed_position
            FROM webhooks w
            WHERE (SELECT MAX(f.cursor) FROM feed_events f WHERE f.business_id = w.business_id) > w.feed_position
            """).all().map { (try Self.webhook($0), try $0.decode(column: "feed_position", as: Int.self)) }
    }

    package func feed(of business: UUID, after cursor: Int, limit: Int) async throws -> [FeedRecord] {
        try await db.sql().raw("""
            SELECT cursor, type, payload, created_at FROM feed_events WHERE business_id = \(bind: business) AND cursor > \(bind: cursor)
            ORDER BY cursor LIMIT \(bind: limit)
            """).all().map { row in
                FeedRecord(cursor: try row.decode(column: "cursor", as: Int.self), type: try row.decode(column: "type", as: String.self),
                           payload: try row.decode(column: "payload", as: String.self),
                           createdAt: try row.decode(column: "created_at", as: Date.self))
            }
    }

    /// The move comes first: a second node taking in the same events finds the position moved
    /// (its update changes no row) and rolls back.
    package func enqueue(_ deliveries: [WebhookDelivery], webhook: UUID, from: Int, to: Int) async throws -> Bool {
        struct Moved: Error {}
        do {
            try await db.transaction { tx in
                let sql = try tx.sql()
                let moved = try await sql.raw("""
                    UPDATE webhooks SET feed_position = \(bind: to) WHERE id = \(bind: webhook) AND feed_position = \(bind: from) RETURNING id
                    """).all()
                guard !moved.isEmpty else { throw Moved() }
                let now = WireTime.now()
                for start in stride(from: 0, to: deliveries.count, by: 100) {
                    var query: SQLQueryString = """
                        INSERT INTO webhook_deliveries (id, webhook_id, session_id, event, body, state, attempts, next_attempt_at, created_at) VALUES
                        """
                    for (index, delivery) in deliveries[start..<min(start + 100, deliveries.count)].enumerated() {
                        query += index == 0 ? " (" : ", ("
                        query += "\(bind: delivery.id), \(bind: delivery.webhookID), \(bind: delivery.sessionID), \(bind: delivery.event), "
                        query += "\(bind: delivery.body), 'pending', 0, \(bind: now), \(bind: now))"
                    }
                    try await sql.raw(query).run()
                }
            }
            return true
        } catch is Moved {
            return false
        }
    }

    /// One statement: the due rows are leased as they are read (on PostgreSQL a row another node
    /// leased meanwhile fails the repeated `next_attempt_at` test and is left out).
    package func claimDeliveries(dueAt now: Date, lease: Date, limit: Int) async throws -> [WebhookDelivery] {
        // A read first: most rounds find nothing due, and take no write lock (on SQLite the
        // message writer's) for it.
        let due = try await db.sql().raw("""
            SELECT 1 AS due FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= \(bind: now) LIMIT 1
            """).first()
        guard due != nil else { return [] }
        return try await db.sql().raw("""
            UPDATE webhook_deliveries SET next_attempt_at = \(bind: lease)
            WHERE state = 'pending' AND next_attempt_at <= \(bind: now) AND id IN (
                SELECT id FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= \(bind: now)
                ORDER BY next_attempt_at LIMIT \(bind: limit))
            RETURNING id, webhook_id, session_id, event, body, attempts,
                (SELECT url FROM webhooks w WHERE w.id = webhook_deliveries.webhook_id) AS url,
                (SELECT secret FROM webhooks w WHERE w.id = webhook_deliveries.webhook_id) AS secret
            """).all().map { row in
                WebhookDelivery(id: try row.decode(column: "id", as: UUID.self), webhookID: try row.decode(column: "webhook_id", as: UUID.self),
                                sessionID: try row.decode(column: "session_id", as: UUID?.self),
                                event: try row.decode(column: "event", as: String.self), body: try row.decode(column: "body", as: String.self),
                                attempts: try row.decode(column: "attempts", as: Int.self),
                                url: try row.decode(column: "url", as: String?.self) ?? "", secret: try row.decode(column: "secret", as: String?.self) ?? "")
            }
    }

    package func record(_ attempt: WebhookAttempt, of webhook: UUID, retryAt: Date?) async throws {
        try await db.transaction { tx in
            let sql = try tx.sql()
            let finished: Date? = retryAt == nil ? attempt.attemptedAt : nil
            let updated = try await sql.raw("""
                UPDATE webhook_deliveries SET attempts = attempts + 1, state = \(bind: attempt.state),
                    next_attempt_at = \(bind: retryAt ?? attempt.attemptedAt), finished_at = \(bind: finished)
                WHERE id = \(bind: attempt.deliveryID) RETURNING id
                """).all()
            // Erased or deleted meanwhile: nothing to log.
            guard !updated.isEmpty else { return }
            try await sql.raw("""
                INSERT INTO webhook_attempts (id, webhook_id, delivery_id, event, status_code, error, attempted_at) VALUES (
                    \(bind: UUID()), \(bind: webhook), \(bind: attempt.deliveryID), \(bind: attempt.event), \(bind: attempt.statusCode),
                    \(bind: attempt.error), \(bind: attempt.attemptedAt))
                """).run()
        }
    }

    package func attempts(of webhook: UUID, limit: Int) async throws -> [WebhookAttempt] {
        try await db.sql().raw("""
            SELECT a.delivery_id AS delivery_id, a.event AS event, a.status_code AS status_code, a.error AS error,
                   a.attempted_at AS attempted_at, d.state AS state
            FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
            WHERE a.webhook_id = \(bind: webhook) ORDER BY a.attempted_at DESC LIMIT \(bind: limit)
            """).all().map { row in
                WebhookAttempt(deliveryID: try row.decode(column: "delivery_id", as: UUID.self), event: try row.decode(column: "event", as: String.self),
                               statusCode: try row.decode(column: "status_code", as: Int?.self), error: try row.decode(column: "error", as: String?.self),
                               attemptedAt: try row.decode(column: "attempted_at", as: Date.self), state: try row.decode(column: "state", as: String.self))
            }
    }

    package func pruneWebhookLog(before date: Date) async throws {
        let sql = try db.sql()
        try await sql.raw("DELETE FROM webhook_attempts WHERE attempted_at < \(bind: date)").run()
        try await sql.raw("DELETE FROM webhook_deliveries WHERE state <> 'pending' AND finished_at < \(bind: date)").run()
    }
}
