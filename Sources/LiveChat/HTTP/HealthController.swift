import Fluent
import Vapor

/// `GET /health`: 200 when the database answers, 503 otherwise.
struct HealthController: RouteCollection {
    struct Payload: Content {
        let status: String
        let database: String
        let connections: Int
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("health", use: health)
    }

    @Sendable
    func health(req: Request) async throws -> Response {
        let connections = req.chat.sessions.connectionCount + req.chat.feeds.connectionCount
        do {
            _ = try await req.db.sql().raw("SELECT 1 AS ok").all()
            return try Envelope(message: "OK", data: Payload(status: "ok", database: "ok", connections: connections)).response()
        } catch {
            req.logger.error("health check: database unreachable", metadata: ["error": "\(error)"])
            return try Envelope(message: "Database unreachable", data: Payload(status: "unavailable", database: "unreachable", connections: connections))
                .response(status: .serviceUnavailable)
        }
    }
}
