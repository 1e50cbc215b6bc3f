import Vapor

/// `GET /metrics`: the Prometheus text exposition of `ChatMetrics`.
struct MetricsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("metrics", use: metrics)
    }

    @Sendable
    func metrics(req: Request) async throws -> Response {
        let chat = req.chat
        let text = chat.metrics.exposition(chatSockets: chat.sessions.connectionCount, feedSockets: chat.feeds.connectionCount)
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }
}

/// Counts every HTTP response by status for `/metrics` (outermost, so it sees error responses too).
struct ResponseMetricsMiddleware: AsyncMiddleware {
    let metrics: ChatMetrics

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            let response = try await next.respond(to: request)
            metrics.countResponse(response.status)
            return response
        } catch {
            metrics.countResponse((error as? any AbortError)?.status ?? .internalServerError)
            throw error
        }
    }
}
