import Prometheus

/// The server's Prometheus metrics, served by `GET /metrics`: open sockets, messages stored, the
/// broadcast latency (from a message's arrival to its broadcast, stored in between) and HTTP
/// responses by status. One registry per application (tests run several side by side).
package final class ChatMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    let messagesStored: Counter
    let broadcastLatency: DurationHistogram
    private let chatSockets: Gauge
    private let feedSockets: Gauge

    static let latencyBuckets: [Duration] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000].map { .milliseconds($0) }

    package init() {
        messagesStored = registry.makeCounter(descriptor: Self.name(
            "messages_stored", unit: "total", help: "Chat messages stored (each then broadcast once)."))
        broadcastLatency = registry.makeDurationHistogram(descriptor: Self.name(
            "broadcast_latency", unit: "seconds", help: "From a message's arrival at the server to its broadcast, after it is stored."),
            buckets: Self.latencyBuckets)
        let sockets = Self.name("open_connections", unit: "", help: "Open WebSockets on this node: chat sockets and agent feeds.")
        chatSockets = registry.makeGauge(descriptor: sockets, labels: [("kind", "chat")])
        feedSockets = registry.makeGauge(descriptor: sockets, labels: [("kind", "feed")])
    }

    /// Counts one HTTP response (WebSocket upgrades are answered 101) by its route's pattern
    /// (`/chat/history/:session_id`; `unmatched` for no route) and status.
    package func countResponse(route: String, status code: UInt) {
        registry.makeCounter(descriptor: Self.name("http_requests", unit: "total", help: "HTTP requests answered, by route and status."),
                             labels: [("route", route), ("status", String(code))]).increment()
    }

    /// Counts a refusal of a limit (`start_session`, `login`, `upload`, `sockets_per_address`, …).
    package func refused(limit: String) {
        registry.makeCounter(descriptor: Self.name("rate_limited", unit: "total", help: "Requests and sockets refused by a limit, by limit."),
                             labels: [("limit", limit)]).increment()
    }

    /// Counts a socket closed by the server, by its close code.
    func socketClosed(code: Int) {
        registry.makeCounter(descriptor: Self.name("sockets_closed", unit: "total", help: "WebSockets closed by the server, by close code."),
                             labels: [("code", String(code))]).increment()
    }

    /// Counts a chat session started (created) or ended.
    package func session(started: Bool) {
        registry.makeCounter(descriptor: Self.name(started ? "sessions_started" : "sessions_ended", unit: "total",
                                                   help: started ? "Chat sessions created." : "Chat sessions ended."))
            .increment()
    }

    /// The exposition text, with the socket gauges read now.
    package func exposition(chatSockets chat: Int, feedSockets feed: Int) -> String {
        chatSockets.set(Int64(chat))
        feedSockets.set(Int64(feed))
        return registry.emitToString()
    }

    private static func name(_ metric: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "livechat", metricName: metric, unitName: unit, helpText: help)
    }
}
