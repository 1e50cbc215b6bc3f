import OpenAPIKit

/// Every HTTP endpoint the app registers, as `/openapi.json` describes it: its path (the route's
/// parameters by their route names), who may call it, its body, its success and its errors.
/// A test checks these against the routes the app registers.
struct APIEndpoint {
    enum Caller {
        case anyone, visitorOrAgent, agent, admin
        case visitorAgentOrAdmin
    }

    enum Body {
        case json(JSONSchema)
        case multipart(JSONSchema)
    }

    enum Success {
        /// The seed's `message` + `data` envelope.
        case envelope(Int, String, JSONSchema)
        /// Another JSON document.
        case json(Int, String, JSONSchema)
        /// Not JSON (a file, the metrics text) or a WebSocket upgrade.
        case other(Int, String, OpenAPI.ContentType?)
    }

    let method: OpenAPI.HttpMethod
    let path: String
    let summary: String
    let caller: Caller
    var query: [(String, JSONSchema)] = []
    var body: Body? = nil
    let success: [Success]
    /// The error statuses it answers (each with the error envelope).
    let errors: [Int]
    var tag: String

    /// The route parameters named in `path` (`{session}`).
    var pathParameters: [String] {
        path.split(separator: "/").compactMap { $0.hasPrefix("{") ? String($0.dropFirst().dropLast()) : nil }
    }
}

extension APIEndpoint {
    private static let authErrors = [401, 403]
    /// How every whole number in a query is written (`ASCIIDigits`).
    static let digits = "ASCII digits 0-9 only: no sign, no leading zero, no other script's digits"
    /// A report's day (`CalendarDay`).
    static let day = JSONSchema.string(format: .date, required: false, description: "YYYY-MM-DD in ASCII digits, a real date from 1970-01-01 to 9999-12-31",
                                       pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

    static let all: [APIEndpoint] = [
        // The seed's three endpoints.
        APIEndpoint(method: .post, path: "/chat/start-session/", summary: "Start or resume the visitor's active session", caller: .anyone,
                    body: .json(OpenAPISchemas.startSessionBody),
                    success: [.envelope(201, "Chat session started successfully (a new session)", OpenAPISchemas.startedSession),
                              .envelope(200, "Chat session started successfully (the active one)", OpenAPISchemas.startedSession)],
                    errors: [400, 401, 403, 404, 413, 415, 429], tag: "Visitor"),
        APIEndpoint(method: .post, path: "/chat/upload-file/", summary: "Upload a file into a session", caller: .visitorOrAgent,
                    body: .multipart(OpenAPISchemas.uploadBody),
                    success: [.envelope(201, "File uploaded successfully", OpenAPISchemas.attachment)],
                    errors: [400, 401, 403, 404, 409, 413, 415, 429], tag: "Visitor"),
        APIEndpoint(method: .get, path: "/chat/history/{session}/", summary: "A session's timeline, oldest first", caller: .visitorAgentOrAdmin,
                    query: [("after", .string(format: .uuid, required: false)), ("limit", .integer(required: false, description: APIEndpoint.digits, minimum: (1, exclusive: false)))],
                    success: [.envelope(200, "Chat timeline fetched successfully", OpenAPISchemas.timeline)],
                    errors: [400, 401, 403, 404], tag: "Visitor"),
        APIEndpoint(method: .post, path: "/chat/sessions/{session}/end/", summary: "End a session", caller: .visitorAgentOrAdmin,
                    success: [.envelope(200, "Chat session ended successfully", OpenAPISchemas.endedSession)],
                    errors: [400, 401, 403, 404, 413, 415], tag: "Visitor"),
        APIEndpoint(method: .post, path: "/chat/sessions/{session}/rating/", summary: "The visitor rates the chat once it has ended (1 to 5)",
                    caller: .visitorOrAgent, body: .json(OpenAPISchemas.ratingBody),
                    success: [.envelope(201, "Thank you for your feedback", OpenAPISchemas.rating)],
                    errors: [400, 401, 403, 404, 409, 413, 415], tag: "Visitor"),
        // The agent side.
        APIEndpoint(method: .post, path: "/auth/login/", summary: "An agent's email and password for a token", caller: .anyone,
                    body: .json(OpenAPISchemas.loginBody), success: [.envelope(200, "Login successful", OpenAPISchemas.login)],
                    errors: [400, 401, 403, 413, 415, 429], tag: "Agent"),
        APIEndpoint(method: .post, path: "/auth/logout/", summary: "Revoke the caller's login token", caller: .agent,
                    success: [.envelope(200, "Logout successful", .object)], errors: [400, 401, 403, 413, 415], tag: "Agent"),
        APIEndpoint(method: .get, path: "/chat/sessions/", summary: "The business's sessions, newest first", caller: .agent,
                    query: [("active", .boolean(required: false)), ("department", .string(format: .uuid, required: false)),
                            ("assigned", .string(required: false)), ("limit", .integer(required: false, description: APIEndpoint.digits, maximum: (200, exclusive: false), minimum: (1, exclusive: false))),
                            ("cursor", .string(required: false))],
                    success: [.json(200, "Sessions fetched successfully, with next_cursor", OpenAPISchemas.inboxPage)],
                    errors: [400, 401, 403, 404], tag: "Agent"),
        APIEndpoint(method: .post, path: "/chat/sessions/{session}/assign/", summary: "Assign a chat to an agent", caller: .agent,
                    body: .json(OpenAPISchemas.assignBody), success: [.envelope(200, "Chat session assigned successfully", .object)],
                    errors: [400, 401, 403, 404, 409, 413, 415], tag: "Agent"),
        APIEndpoint(method: .post, path: "/chat/sessions/{session}/transfer/", summary: "Move a chat to another department", caller: .agent,
                    body: .json(OpenAPISchemas.transferBody), success: [.envelope(200, "Chat session transferred successfully", .object)],
                    errors: [400, 401, 403, 404, 409, 413, 415], tag: "Agent"),
        APIEndpoint(method: .get, path: "/chat/agents/", summary: "The business's agents, with presence", caller: .agent,
                    success: [.envelope(200, "Agents fetched successfully", .array(items: OpenAPISchemas.teamAgent))], errors: authErrors + [404],
                    tag: "Agent"),
        APIEndpoint(method: .get, path: "/chat/departments/", summary: "The business's departments", caller: .agent,
                    success: [.envelope(200, "Departments fetched successfully", .array(items: OpenAPISchemas.department))],
                    errors: authErrors + [404], tag: "Agent"),
        // Merchant features.
        APIEndpoint(method: .get, path: "/chat/settings/", summary: "The business's settings (a business admin; the platform admin names ?business=)",
                    caller: .agent, query: [("business", .string(format: .uuid, required: false))],
                    success: [.envelope(200, "Settings fetched successfully", OpenAPISchemas.settings)], errors: [400, 401, 403, 404],
                    tag: "Merchant"),
        APIEndpoint(method: .patch, path: "/chat/settings/", summary: "Change some of the business's settings (a business admin)",
                    caller: .agent, query: [("business", .string(format: .uuid, required: false))], body: .json(OpenAPISchemas.settingsBody),
                    success: [.envelope(200, "Settings updated successfully", OpenAPISchemas.settings)],
                    errors: [400, 401, 403, 404, 413, 415], tag: "Merchant"),
        APIEndpoint(method: .get, path: "/chat/canned-responses/", summary: "The business's canned responses (?q= filters by shortcut prefix or text)",
                    caller: .agent, query: [("q", .string(required: false, maxLength: 200)), ("business", .string(format: .uuid, required: false))],
                    success: [.envelope(200, "Canned responses fetched successfully", .array(items: OpenAPISchemas.cannedResponse))],
                    errors: [400, 401, 403, 404], tag: "Merchant"),
        APIEndpoint(method: .post, path: "/chat/canned-responses/", summary: "Add a canned response (a business admin)", caller: .agent,
                    query: [("business", .string(format: .uuid, required: false))], body: .json(OpenAPISchemas.cannedResponseBody),
                    success: [.envelope(201, "Canned response created successfully", OpenAPISchemas.cannedResponse)],
                    errors: [400, 401, 403, 404, 409, 413, 415], tag: "Merchant"),
        APIEndpoint(method: .patch, path: "/chat/canned-responses/{response}/", summary: "Change a canned response (a business admin)",
                    caller: .agent, query: [("business", .string(format: .uuid, required: false))],
                    body: .json(OpenAPISchemas.cannedResponseUpdateBody),
                    success: [.envelope(200, "Canned response updated successfully", OpenAPISchemas.cannedResponse)],
                    errors: [400, 401, 403, 404, 409, 413, 415], tag: "Merchant"),
        APIEndpoint(method: .delete, path: "/chat/canned-responses/{response}/", summary: "Delete a canned response (a business admin)",
                    caller: .agent, query: [("business", .string(format: .uuid, required: false))],
                    success: [.envelope(200, "Canned response deleted successfully", .object(properties: ["id": OpenAPISchemas.id]))],
                    errors: [400, 401, 403, 404], tag: "Merchant"),
        APIEndpoint(method: .get, path: "/chat/reports/", summary: "The business's figures over whole UTC days (at most 366; default the last 30)",
                    caller: .agent, query: [("from", APIEndpoint.day), ("to", APIEndpoint.day),
                                            ("business", .string(format: .uuid, required: false))],
                    success: [.envelope(200, "Report fetched successfully", OpenAPISchemas.report)], errors: [400, 401, 403, 404],
                    tag: "Merchant"),
        APIEndpoint(method: .get, path: "/chat/search/", summary: "The business's messages matching every word, newest first (notes included)",
                    caller: .agent, query: [("q", .string(maxLength: 500)),
                                            ("limit", .integer(required: false, description: APIEndpoint.digits, maximum: (100, exclusive: false), minimum: (1, exclusive: false))),
                                            ("cursor", .string(required: false)), ("business", .string(format: .uuid, required: false))],
                    success: [.json(200, "Search results fetched successfully, with next_cursor", OpenAPISchemas.searchPage)],
                    errors: [400, 401, 403, 404], tag: "Merchant"),
        APIEndpoint(method: .post, path: "/chat/webhooks/", summary: "Add a webhook (a business admin); its secret is in this answer only",
                    caller: .agent, query: [("business", .string(format: .uuid, required: false))], body: .json(OpenAPISchemas.webhookBody),
                    success: [.envelope(201, "Webhook created successfully", OpenAPISchemas.webhook)],
                    errors: [400, 401, 403, 404, 413, 415], tag: "Merchant"),
        APIEndpoint(method: .get, path: "/chat/webhooks/", summary: "The business's webhooks (a business admin)",
                    caller: .agent, query: [("business", .string(format: .uuid, required: false))],
                    success: [.envelope(200, "Webhooks fetched successfully", .array(items: OpenAPISchemas.webhook))],
                    errors: [400, 401, 403, 404], tag: "Merchant"),
        APIEndpoint(method: .delete, path: "/chat/webhooks/{webhook}/", summary: "Delete a webhook and its pending deliveries (a business admin)",
                    caller: .agent, query: [("business", .string(format: .uuid, required: false))],
                    success: [.other(204, "Deleted", nil)], errors: [400, 401, 403, 404], tag: "Merchant"),
        APIEndpoint(method: .get, path: "/chat/webhooks/{webhook}/deliveries/", summary: "A webhook's latest delivery tries, newest first (a business admin)",
                    caller: .agent, query: [("business", .string(format: .uuid, required: false))],
                    success: [.envelope(200, "Webhook deliveries fetched successfully", .array(items: OpenAPISchemas.webhookAttempt))],
                    errors: [400, 401, 403, 404], tag: "Merchant"),
        APIEndpoint(method: .get, path: "/chat/visitors/{visitor}/export/", summary: "Everything of a visitor but the private notes (a business admin)",
                    caller: .agent, query: [("business", .string(format: .uuid, required: false))],
                    success: [.envelope(200, "Visitor data exported successfully", OpenAPISchemas.visitorExport)],
                    errors: [400, 401, 403, 404], tag: "Merchant"),
        APIEndpoint(method: .get, path: "/chat/visitors/export/", summary: "The same, the visitor named by its external_customer_id",
                    caller: .agent, query: [("external_customer_id", .string(maxLength: 255)), ("business", .string(format: .uuid, required: false))],
                    success: [.envelope(200, "Visitor data exported successfully", OpenAPISchemas.visitorExport)],
                    errors: [400, 401, 403, 404], tag: "Merchant"),
        APIEndpoint(method: .delete, path: "/chat/visitors/{visitor}/",
                    summary: "Erase a visitor: sessions, messages, files; its sockets close with 4006, its tokens are refused (a business admin)",
                    caller: .agent, query: [("business", .string(format: .uuid, required: false))],
                    success: [.other(204, "Erased", nil)], errors: [400, 401, 403, 404], tag: "Merchant"),
        APIEndpoint(method: .get, path: "/chat/widget-config/", summary: "What the widget shows before a chat (honours the origin allowlist)",
                    caller: .anyone, query: [("business", .string(format: .uuid))],
                    success: [.envelope(200, "Widget settings fetched successfully", OpenAPISchemas.widgetConfig)], errors: [400, 403, 404],
                    tag: "Merchant"),
        APIEndpoint(method: .get, path: "/media/chat_attachments/{name}", summary: "An uploaded file", caller: .anyone,
                    success: [.other(200, "The file (a download unless an image or audio)", nil)], errors: [404], tag: "Visitor"),
        // The platform admin.
        APIEndpoint(method: .post, path: "/admin/businesses/", summary: "Create a business", caller: .admin, body: .json(OpenAPISchemas.businessBody),
                    success: [.envelope(201, "Business created successfully", OpenAPISchemas.business)], errors: [400, 401, 403, 413, 415],
                    tag: "Admin"),
        APIEndpoint(method: .get, path: "/admin/businesses/", summary: "List the businesses", caller: .admin,
                    success: [.envelope(200, "Businesses fetched successfully", .array(items: OpenAPISchemas.business))], errors: authErrors,
                    tag: "Admin"),
        APIEndpoint(method: .post, path: "/admin/businesses/{business}/departments/", summary: "Create a department", caller: .admin,
                    body: .json(OpenAPISchemas.departmentBody),
                    success: [.envelope(201, "Department created successfully", OpenAPISchemas.adminDepartment)],
                    errors: [400, 401, 403, 404, 413, 415], tag: "Admin"),
        APIEndpoint(method: .get, path: "/admin/businesses/{business}/departments/", summary: "List a business's departments", caller: .admin,
                    success: [.envelope(200, "Departments fetched successfully", .array(items: OpenAPISchemas.adminDepartment))],
                    errors: authErrors + [404], tag: "Admin"),
        APIEndpoint(method: .post, path: "/admin/businesses/{business}/agents/", summary: "Create an agent", caller: .admin,
                    body: .json(OpenAPISchemas.agentBody), success: [.envelope(201, "Agent created successfully", OpenAPISchemas.agent)],
                    errors: [400, 401, 403, 404, 409, 413, 415], tag: "Admin"),
        APIEndpoint(method: .get, path: "/admin/businesses/{business}/agents/", summary: "List a business's agents", caller: .admin,
                    success: [.envelope(200, "Agents fetched successfully", .array(items: OpenAPISchemas.agent))], errors: authErrors + [404],
                    tag: "Admin"),
        APIEndpoint(method: .patch, path: "/admin/businesses/{business}/agents/{agent}/", summary: "Deactivate or reactivate an agent, or make it a business admin",
                    caller: .admin, body: .json(OpenAPISchemas.agentUpdateBody),
                    success: [.envelope(200, "Agent updated successfully", OpenAPISchemas.agent)], errors: [400, 401, 403, 404, 413, 415],
                    tag: "Admin"),
        APIEndpoint(method: .post, path: "/admin/businesses/{business}/keys/", summary: "Create a business key (HS256 secret or public JWK)",
                    caller: .admin, body: .json(OpenAPISchemas.keyBody),
                    success: [.envelope(201, "Key created successfully", OpenAPISchemas.key)], errors: [400, 401, 403, 404, 413, 415],
                    tag: "Admin"),
        APIEndpoint(method: .get, path: "/admin/businesses/{business}/keys/", summary: "List a business's keys in force", caller: .admin,
                    success: [.envelope(200, "Keys fetched successfully", .array(items: OpenAPISchemas.key))], errors: authErrors + [404],
                    tag: "Admin"),
        APIEndpoint(method: .delete, path: "/admin/businesses/{business}/keys/{kid}/", summary: "Revoke a business key", caller: .admin,
                    success: [.envelope(200, "Key revoked successfully", .object(properties: ["kid": .string]))], errors: authErrors + [404],
                    tag: "Admin"),
        // Operations and the sockets' HTTP side.
        APIEndpoint(method: .get, path: "/health", summary: "Whether the database (and the bus) answer", caller: .anyone,
                    success: [.envelope(200, "OK", OpenAPISchemas.health)], errors: [], tag: "Operations"),
        APIEndpoint(method: .get, path: "/metrics", summary: "Prometheus metrics of this node", caller: .anyone,
                    success: [.other(200, "Prometheus text format", .txt)], errors: [], tag: "Operations"),
        APIEndpoint(method: .get, path: "/demo.json", summary: "The demo business (when the demo is on)", caller: .anyone,
                    success: [.envelope(200, "Demo", OpenAPISchemas.demo)], errors: [404], tag: "Operations"),
        APIEndpoint(method: .get, path: "/openapi.json", summary: "This document", caller: .anyone,
                    success: [.json(200, "OpenAPI 3.1", .object)], errors: [], tag: "Operations"),
        APIEndpoint(method: .get, path: "/asyncapi.json", summary: "The sockets' AsyncAPI 3 document", caller: .anyone,
                    success: [.json(200, "AsyncAPI 3.0", .object)], errors: [], tag: "Operations"),
        APIEndpoint(method: .get, path: "/ws/visitor-chat/", summary: "The chat socket (WebSocket upgrade; see /asyncapi.json)", caller: .visitorOrAgent,
                    query: [("session_id", .string(required: false)), ("last_seq", .integer(required: false, description: APIEndpoint.digits + " (malformed: no catch-up)", minimum: (0, exclusive: false)))],
                    success: [.other(101, "Switching to the WebSocket protocol", nil)], errors: [403, 426, 429], tag: "Sockets"),
        APIEndpoint(method: .get, path: "/ws/agent/", summary: "The agent feed (WebSocket upgrade; see /asyncapi.json)", caller: .agent,
                    query: [("cursor", .integer(required: false, minimum: (0, exclusive: false)))],
                    success: [.other(101, "Switching to the WebSocket protocol", nil)], errors: [426, 429], tag: "Sockets"),
    ]
}
