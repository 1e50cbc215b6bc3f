import ChatDomain
import ChatRealtime
import Vapor

/// `GET /health`: 200 when the database answers, 503 otherwise.
package struct HealthController: RouteCollection {
    struct Payload: Content {
        let status: String
        let database: String
        let connections: Int
    }

    package init() {}

    package func boot(routes: any RoutesBuilder) throws {
        routes.get("health", use: health)
    }

    @Sendable
    func health(req: Request) async throws -> Response {
        let connections = req.realtime.connectionCount
        do {
            try await req.chat.store.ping()
            return try Envelope(message: "OK", data: Payload(status: "ok", database: "ok", connections: connections)).response()
        } catch {
            req.logger.error("health check: database unreachable", metadata: ["error": "\(error)"])
            return try Envelope(message: "Database unreachable", data: Payload(status: "unavailable", database: "unreachable", connections: connections))
                .response(status: .serviceUnavailable)
        }
    }
}
