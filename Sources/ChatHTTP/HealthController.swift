import ChatDomain
import ChatRealtime
import Vapor

/// `GET /health`: 200 when the database answers (and, with several nodes, this node hears the
/// others through the bus), 503 otherwise. While the writer's last commit failed, the database
/// must also take a write (`failing` until it does).
package struct HealthController: RouteCollection {
    struct Payload: Content {
        let status: String
        let database: String
        /// Several nodes: `listening`, or `reconnecting` while the listener is down; absent on one node.
        let bus: String?
        let connections: Int
    }

    package init() {}

    package func boot(routes: any RoutesBuilder) throws {
        routes.get("health", use: health)
    }

    @Sendable
    func health(req: Request) async throws -> Response {
        let connections = req.realtime.connectionCount
        let bus = req.realtime.fanout.nodeBus.map { $0.isListening ? "listening" : "reconnecting" }
        do {
            try await req.chat.health.ping()
        } catch {
            req.logger.error("health check: database unreachable", metadata: ["error": "\(type(of: error)): \(error)"])
            return try Envelope(message: "Database unreachable",
                                data: Payload(status: "unavailable", database: "unreachable", bus: bus, connections: connections))
                .response(status: .serviceUnavailable)
        }
        if req.chat.health.writerFailing {
            do {
                try await req.chat.health.probeWrite()
            } catch {
                req.logger.error("health check: the database refuses writes", metadata: ["error": "\(type(of: error)): \(error)"])
                return try Envelope(message: "Messages cannot be stored: the database refuses writes",
                                    data: Payload(status: "unavailable", database: "failing", bus: bus, connections: connections))
                    .response(status: .serviceUnavailable)
            }
        }
        guard bus != "reconnecting" else {
            return try Envelope(message: "Not hearing the other nodes: the bus listener is reconnecting",
                                data: Payload(status: "unavailable", database: "ok", bus: bus, connections: connections))
                .response(status: .serviceUnavailable)
        }
        return try Envelope(message: "OK", data: Payload(status: "ok", database: "ok", bus: bus, connections: connections)).response()
    }
}
