import Vapor

/// The agent console (`/agent…`) and the API docs (`/docs…`) may not be framed by any site
/// (clickjacking): their answers carry `Content-Security-Policy: frame-ancestors 'none'` and, for
/// older browsers, `X-Frame-Options: DENY`. The widget and its host page are framed or embedded
/// by shops, so they are left as they are.
package struct FrameGuardMiddleware: AsyncMiddleware {
    static let guardedPrefixes = ["/agent", "/docs"]

    package init() {}

    package func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        let path = request.url.path
        if Self.guardedPrefixes.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) {
            response.headers.replaceOrAdd(name: "Content-Security-Policy", value: "frame-ancestors 'none'")
            response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        }
        return response
    }
}
