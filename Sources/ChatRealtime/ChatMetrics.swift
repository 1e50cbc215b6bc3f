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

    /// Counts one HTTP response (WebSocket upgrades are answered 101).
    package func countResponse(status code: UInt) {
        registry.makeCounter(descriptor: Self.name("http_requests", unit: "total", help: "HTTP requests answered, by status."),
                             labels: [("status", String(code))]).increment()
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
