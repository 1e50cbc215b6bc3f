import Foundation
import OpenAPIKit

/// `/openapi.json`: the OpenAPI 3.1 document of `APIEndpoint.all`, built with OpenAPIKit.
enum OpenAPIDocument {
    static func make(version: String) -> OpenAPI.Document {
        var paths: OpenAPI.PathItem.Map = [:]
        for endpoint in APIEndpoint.all {
            let path = OpenAPI.Path(rawValue: endpoint.path)
            var item = paths[path]?.pathItemValue ?? OpenAPI.PathItem()
            item[endpoint.method] = operation(endpoint)
            paths[path] = .b(item)
        }
        return OpenAPI.Document(
            openAPIVersion: .v3_1_1,
            info: .init(
                title: "livechat",
                description: """
                    The HTTP side of livechat. Every success is `{"message", "data"}` (the inbox adds \
                    `next_cursor`), every error `{"message", "errors"?}`. The two sockets are in \
                    /asyncapi.json; docs/API.md says what each field means.
                    """,
                version: version),
            servers: [],
            paths: paths,
            components: .direct(
                schemas: ["Error": OpenAPISchemas.error],
                securitySchemes: [
                    "bearer": .http(
                        scheme: "bearer", bearerFormat: "JWT",
                        description: "A visitor token (from start-session), an agent token (from login or signed by a business key) or the admin token, each where its endpoint says.")
                ]),
            tags: ["Visitor", "Agent", "Merchant", "Admin", "Operations", "Sockets"].map { OpenAPI.Tag(name: $0) })
    }

    /// The document encoded once: it never changes while the server runs.
    static func json(version: String) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(make(version: version))
    }

    private static func operation(_ endpoint: APIEndpoint) -> OpenAPI.Operation {
        var parameters: OpenAPI.Parameter.Array = endpoint.pathParameters.map {
            .b(.path(name: $0, schema: $0 == "name" || $0 == "kid" ? .string : .string(format: .uuid)))
        }
        parameters += endpoint.query.map { name, schema in .b(.query(name: name, schema: schema)) }
        var responses: OpenAPI.Response.Map = [:]
        for success in endpoint.success {
            switch success {
            case .envelope(let status, let description, let data):
                responses[.status(code: status)] = .b(.init(description: description, content: [.json: .b(OpenAPI.Content(schema: OpenAPISchemas.envelope(data)))]))
            case .json(let status, let description, let schema):
                responses[.status(code: status)] = .b(.init(description: description, content: [.json: .b(OpenAPI.Content(schema: schema))]))
            case .other(let status, let description, let type):
                responses[.status(code: status)] = .b(.init(description: description, content: type.map { [$0: .b(OpenAPI.Content(schema: .string))] } ?? [:]))
            }
        }
        var errors = endpoint.errors
        // Every JSON endpoint refuses another media type (`Request.jsonFields`).
        if case .json? = endpoint.body, !errors.contains(415) { errors.append(415) }
        for status in errors {
            responses[.status(code: status)] = .b(errorResponse(status))
        }
        return OpenAPI.Operation(
            tags: [endpoint.tag],
            summary: endpoint.summary,
            operationId: operationID(endpoint),
            parameters: parameters,
            requestBody: endpoint.body.map(request),
            responses: responses,
            security: endpoint.caller == .anyone ? [] : [[.component(named: "bearer"): []]])
    }

    private static func request(_ body: APIEndpoint.Body) -> OpenAPI.Request {
        switch body {
        case .json(let schema): OpenAPI.Request(content: [.json: .b(OpenAPI.Content(schema: schema))], required: true)
        case .multipart(let schema): OpenAPI.Request(content: [.multipartForm: .b(OpenAPI.Content(schema: schema))], required: true)
        }
    }

    private static func errorResponse(_ status: Int) -> OpenAPI.Response {
        let headers: OpenAPI.Header.Map? =
            status == 429 ? ["Retry-After": .b(OpenAPI.Header(schema: JSONSchema.integer, description: "Seconds until a retry can succeed", required: true))] : nil
        return OpenAPI.Response(
            description: errorDescriptions[status] ?? "Error", headers: headers,
            content: [.json: .b(OpenAPI.Content(schema: JSONSchema.reference(.component(named: "Error"))))])
    }

    private static let errorDescriptions: [Int: String] = [
        400: "Invalid input (the message names it; `errors` names the fields)",
        401: "No token, or a token that does not verify",
        403: "The token may not do this, or the resource belongs to another business",
        404: "Not found (or not this caller's)",
        409: "Conflicts with the current state",
        413: "The body, or the session's upload quota, is too large",
        415: "The body is not of the expected media type",
        426: "Not a WebSocket upgrade",
        429: "Too many requests from this address or on this session",
    ]

    /// `post_chat_sessions_session_end`: the method and the path's words.
    private static func operationID(_ endpoint: APIEndpoint) -> String {
        let words = endpoint.path.split { "/{}.-_".contains($0) }.map(String.init)
        return ([endpoint.method.rawValue.lowercased()] + words).joined(separator: "_")
    }
}
