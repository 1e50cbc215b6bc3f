import Foundation
import Vapor

/// `GET /openapi.json` and `GET /asyncapi.json`: the HTTP API and the sockets, as documents
/// encoded once at start-up (they never change while the server runs). `/docs/` renders both.
package struct SpecsController: RouteCollection {
    /// The API's version in both documents: the seed's API plus the contract's extensions.
    static let apiVersion = "1.1.0"

    package init() {}

    package func boot(routes: any RoutesBuilder) throws {
        let openAPI = try OpenAPIDocument.json(version: Self.apiVersion)
        let asyncAPI = try AsyncAPIDocument.json(version: Self.apiVersion)
        routes.get("openapi.json") { _ in Self.json(openAPI) }
        routes.get("asyncapi.json") { _ in Self.json(asyncAPI) }
    }

    private static func json(_ body: Data) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.replaceOrAdd(name: .cacheControl, value: "no-cache")
        return Response(status: .ok, headers: headers, body: .init(data: body))
    }
}
