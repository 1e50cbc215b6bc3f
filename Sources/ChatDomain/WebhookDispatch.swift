import Foundation

/// Delivers the webhooks, off the chat's path: a task that takes each webhook's new feed events
/// into the outbox (`WebhookStore.enqueue`: stored before they are sent, so a restart loses
/// none), then tries the deliveries that are due, a few at a time, and schedules the failed ones
/// again with backoff. With several nodes each takes its turn: a feed is taken in once (the move
/// of its position is conditional) and a delivery is claimed by one node at a time (a lease).
package struct WebhookDispatch: Sendable {
    package static let batch = 200
    package static let parallel = 8
    /// Rounds between two prunings of the log (about 3 hours at one round a second).
    package static let pruneEvery = 10_000

    private let store: any WebhookStore
    private let sender: any WebhookSender
    private let interval: Duration
    private let loop: BackgroundLoop

    /// `failed` hears each round that threw (to log it).
    package init(store: any WebhookStore, sender: any WebhookSender, interval: Duration = .seconds(1),
                 failed: @escaping @Sendable (any Error) -> Void) {
        self.store = store
        self.sender = sender
        self.interval = interval
        loop = BackgroundLoop(failed: failed)
    }

    /// Delivers until cancelled (the server's shutdown).
    package func run() async {
        await loop.run { [store, sender, interval] round in
            try await Self.takeIn(store)
            try await Self.send(store, sender)
            if round % Self.pruneEvery == 0 {
                try await store.pruneWebhookLog(before: WireTime.now().addingTimeInterval(-Webhooks.logDays * 86_400))
            }
            return interval
        }
    }

    /// Each webhook's feed events since its position, as deliveries.
    private static func takeIn(_ store: any WebhookStore) async throws {
        for (webhook, position) in try await store.webhooksBehind() {
            let events = try await store.feed(of: webhook.businessID, after: position, limit: batch)
            guard let last = events.last?.cursor else { continue }
            let deliveries = events.compactMap { Webhooks.delivery(of: $0, to: webhook) }
            _ = try await store.enqueue(deliveries, webhook: webhook.id, from: position, to: last)
        }
    }

    /// The due deliveries, `parallel` at a time; each try logged.
    private static func send(_ store: any WebhookStore, _ sender: any WebhookSender) async throws {
        let now = WireTime.now()
        let due = try await store.claimDeliveries(dueAt: now, lease: now.addingTimeInterval(Webhooks.lease), limit: batch)
        guard !due.isEmpty else { return }
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = due.makeIterator()
            func add() -> Bool {
                guard let delivery = next.next() else { return false }
                group.addTask { try await attempt(delivery, store, sender) }
                return true
            }
            for _ in 0..<parallel {
                if !add() { break }
            }
            while try await group.next() != nil { _ = add() }
        }
    }

    private static func attempt(_ delivery: WebhookDelivery, _ store: any WebhookStore, _ sender: any WebhookSender) async throws {
        let time = WireTime.now()
        var answer: WebhookAnswer
        do {
            try await sender.checkDestination(delivery.url)
            answer = await sender.post(delivery.body, to: delivery.url, secret: delivery.secret, at: time)
        } catch let error as ChatError {
            answer = .failed(error.fields["url"]?.first ?? error.message)
        }
        let attempts = delivery.attempts + 1
        var code: Int?
        var problem: String?
        switch answer {
        case .status(let status): code = status
        case .failed(let reason): problem = reason
        }
        let delivered = code.map { (200..<300).contains($0) } ?? false
        let retryAt = delivered || attempts >= Webhooks.maxAttempts ? nil : WireTime.now().addingTimeInterval(Webhooks.backoff(after: attempts))
        let state = delivered ? "delivered" : retryAt == nil ? "failed" : "pending"
        try await store.record(WebhookAttempt(deliveryID: delivery.id, event: delivery.event, statusCode: code, error: problem,
                                              attemptedAt: time, state: state), of: delivery.webhookID, retryAt: retryAt)
    }
}
