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

/// Counts every HTTP response by route and status for `/metrics` (outermost, so it sees error
/// responses too). A route is named by its pattern (`/chat/history/:session_id/`), the pages and
/// files served before routing and unknown paths as `none`.
package struct ResponseMetricsMiddleware: AsyncMiddleware {
    let metrics: ChatMetrics

    package init(metrics: ChatMetrics) {
        self.metrics = metrics
    }

    package func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            let response = try await next.respond(to: request)
            metrics.countResponse(route: Self.route(of: request), status: response.status.code)
            return response
        } catch {
            metrics.countResponse(route: Self.route(of: request), status: ((error as? any AbortError)?.status ?? .internalServerError).code)
            throw error
        }
    }

    private static func route(of request: Request) -> String {
        guard let route = request.route else { return "none" }
        return "/" + route.path.map { "\($0)" }.joined(separator: "/") + "/"
    }
}
