import ChatRealtime
import Vapor

/// `GET /metrics`: the Prometheus text exposition of `ChatMetrics`.
package struct MetricsController: RouteCollection {
    package init() {}

    package func boot(routes: any RoutesBuilder) throws {
        routes.get("metrics", use: metrics)
    }

    @Sendable
    func metrics(req: Request) async throws -> Response {
        let realtime = req.realtime
        let text = realtime.metrics.exposition(chatSockets: realtime.sessions.connectionCount, feedSockets: realtime.feeds.connectionCount)
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }
}

/// Counts every HTTP response by status for `/metrics` (outermost, so it sees error responses too).
package struct ResponseMetricsMiddleware: AsyncMiddleware {
    let metrics: ChatMetrics

    package init(metrics: ChatMetrics) {
        self.metrics = metrics
    }

    package func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            let response = try await next.respond(to: request)
            metrics.countResponse(status: response.status.code)
            return response
        } catch {
            metrics.countResponse(status: ((error as? any AbortError)?.status ?? .internalServerError).code)
            throw error
        }
    }
}
