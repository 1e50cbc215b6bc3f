import OpenAPIKit

/// The JSON schemas of what the HTTP API answers (docs/API.md gives each field's meaning).
enum OpenAPISchemas {
    static let id = JSONSchema.string(format: .uuid)
    static let optionalID = JSONSchema.string(format: .uuid, nullable: true)
    static let time = JSONSchema.string(format: .dateTime)

    /// `{"message": ..., "errors": {"<field>": ["..."]}}`.
    static let error = JSONSchema.object(
        title: "Error",
        properties: [
            "message": .string,
            "errors": .object(required: false, additionalProperties: .b(.array(items: .string))),
        ])

    /// The seed's success envelope around `data`.
    static func envelope(_ data: JSONSchema) -> JSONSchema {
        .object(properties: ["message": .string, "data": data])
    }

    static let startedSession = JSONSchema.object(properties: [
        "session_id": id, "active": .boolean, "visitor_id": id, "token": .string, "business": id,
        "department": optionalID, "started_at": time,
    ])

    static let message = JSONSchema.object(properties: [
        "id": id, "session_id": id, "seq": .integer, "type": .string(allowedValues: "text", "file", "note"),
        "content": .string(nullable: true), "file": .string(nullable: true), "file_name": .string(nullable: true),
        "is_audio": .boolean, "sender_id": id, "sender_type": .string(allowedValues: "visitor", "agent"),
        "client_id": .string(required: false, nullable: true), "timestamp": time,
        "private": .boolean(required: false),
    ])

    static let attachment = JSONSchema.object(properties: [
        "id": id, "file": .string, "file_name": .string, "content_type": .string, "size": .integer,
        "message": optionalID, "uploaded_by_end_user": optionalID, "uploaded_by_agent": optionalID, "timestamp": time,
    ])

    static let timeline = JSONSchema.array(items: .object(properties: [
        "type": .string(allowedValues: "message", "attachment"),
        "data": .object,
    ]))

    static let endedSession = JSONSchema.object(properties: ["session_id": id, "active": .boolean, "ended_at": time])

    static let sessionSummary = JSONSchema.object(properties: [
        "session_id": id, "id": id, "business": id, "active": .boolean, "started_at": time, "ended_at": .string(format: .dateTime, nullable: true),
        "visitor": .object(properties: [
            "id": id, "external_customer_id": .string(nullable: true), "name": .string(nullable: true), "email": .string(nullable: true),
        ]),
        "department": .object(nullable: true, properties: ["id": id, "name": .string]),
        "assigned_agent": .object(nullable: true, properties: ["id": id, "name": .string, "online": .boolean]),
        "last_message": .object(nullable: true),
        "unread_count": .integer,
        "rating": .object(nullable: true, properties: [
            "score": .integer(maximum: (5, exclusive: false), minimum: (1, exclusive: false)), "comment": .string(nullable: true),
            "rated_at": time,
        ]),
    ])

    static let rating = JSONSchema.object(properties: [
        "session_id": id, "score": .integer(maximum: (5, exclusive: false), minimum: (1, exclusive: false)),
        "comment": .string(nullable: true), "rated_at": time,
    ])

    static let ratingBody = JSONSchema.object(properties: [
        "score": .integer(maximum: (5, exclusive: false), minimum: (1, exclusive: false)),
        "comment": .string(required: false, nullable: true, maxLength: 1000),
    ])

    static let inboxPage = JSONSchema.object(properties: [
        "message": .string, "data": .array(items: sessionSummary), "next_cursor": .string(nullable: true),
    ])

    static let searchPage = JSONSchema.object(properties: [
        "message": .string,
        "data": .array(items: .object(properties: [
            "session_id": id, "message_id": id, "snippet": .string, "sender_type": .string(allowedValues: "visitor", "agent"),
            "private": .boolean, "timestamp": time,
        ])),
        "next_cursor": .string(nullable: true),
    ])

    static let webhookEvents = JSONSchema.array(items: .string(allowedValues: "session_started", "message", "session_ended", "session_rated"))

    static let webhook = JSONSchema.object(properties: [
        "id": id, "url": .string, "events": webhookEvents, "created_at": time, "secret": .string(required: false),
    ])

    static let webhookBody = JSONSchema.object(properties: [
        "url": .string(maxLength: 2000), "events": .array(minItems: 1, items: .string(allowedValues: "session_started", "message", "session_ended", "session_rated")),
    ])

    static let webhookAttempt = JSONSchema.object(properties: [
        "event_id": id, "event": .string, "status_code": .integer(nullable: true), "error": .string(nullable: true), "attempted_at": time,
        "state": .string(allowedValues: "pending", "delivered", "failed"),
    ])

    static let visitorExport = JSONSchema.object(properties: [
        "visitor": .object(properties: [
            "id": id, "external_customer_id": .string(nullable: true), "name": .string(nullable: true), "email": .string(nullable: true),
            "created_at": time,
        ]),
        "sessions": .array(items: .object(properties: [
            "id": id, "department_id": optionalID, "started_at": time, "ended_at": .string(format: .dateTime, nullable: true),
            "messages": .array(items: message),
            "attachments": .array(items: .object(properties: [
                "url": .string, "file_name": .string, "content_type": .string, "size": .integer, "uploaded_at": time,
            ])),
            "rating": .object(nullable: true, properties: ["score": .integer, "comment": .string(nullable: true), "rated_at": time]),
        ])),
    ])

    static let teamAgent = JSONSchema.object(properties: [
        "id": id, "name": .string, "email": .string(nullable: true), "department": optionalID, "online": .boolean,
    ])

    static let department = JSONSchema.object(properties: ["id": id, "name": .string])

    static let adminDepartment = JSONSchema.object(properties: ["id": id, "business": id, "name": .string, "created_at": time])

    static let business = JSONSchema.object(properties: [
        "id": id, "name": .string, "identity_secret": .string(required: false, nullable: true), "allowed_origins": .array(items: .string),
        "allow_unverified_customer_ids": .boolean, "auto_assign": .boolean, "created_at": time,
    ])

    static let agent = JSONSchema.object(properties: [
        "id": id, "business": id, "email": .string(nullable: true), "name": .string, "department": optionalID, "active": .boolean,
        "is_admin": .boolean, "created_at": time,
    ])

    static let cannedResponse = JSONSchema.object(properties: ["id": id, "shortcut": .string, "content": .string, "created_at": time])

    static let cannedResponseBody = JSONSchema.object(properties: [
        "shortcut": .string(minLength: 1, maxLength: 32, pattern: "^/?[a-z0-9_-]{1,32}$"), "content": .string(minLength: 1, maxLength: 5000),
    ])

    static let cannedResponseUpdateBody = JSONSchema.object(properties: [
        "shortcut": .string(required: false, minLength: 1, maxLength: 32, pattern: "^/?[a-z0-9_-]{1,32}$"),
        "content": .string(required: false, minLength: 1, maxLength: 5000),
    ])

    static let report = JSONSchema.object(properties: [
        "from": .string(format: .date), "to": .string(format: .date),
        "sessions_started": .integer, "sessions_ended": .integer, "messages": .integer,
        "median_first_response_s": .number(nullable: true), "median_duration_s": .number(nullable: true),
        "rating_average": .number(nullable: true), "ratings": .integer,
        "days": .array(items: .object(properties: [
            "date": .string(format: .date), "sessions_started": .integer, "sessions_ended": .integer, "messages": .integer,
            "median_first_response_s": .number(nullable: true), "median_duration_s": .number(nullable: true),
            "rating_average": .number(nullable: true), "ratings": .integer,
        ])),
    ])

    static let prechat = JSONSchema.object(properties: [
        "name": .string(allowedValues: "off", "optional", "required"), "email": .string(allowedValues: "off", "optional", "required"),
    ])

    static let settings = JSONSchema.object(properties: [
        "business": id, "name": .string, "greeting": .string(nullable: true), "offline_message": .string(nullable: true),
        "prechat": prechat, "allowed_origins": .array(items: .string), "auto_assign": .boolean,
        "retention_days": .integer(nullable: true, maximum: (3650, exclusive: false), minimum: (1, exclusive: false)),
    ])

    static let widgetConfig = JSONSchema.object(properties: [
        "business": id, "name": .string, "greeting": .string(nullable: true), "offline_message": .string(nullable: true),
        "prechat": prechat, "online": .boolean,
    ])

    static let key = JSONSchema.object(properties: [
        "kid": .string, "business": id, "algorithm": .string(allowedValues: "HS256", "RS256", "ES256"),
        "secret": .string(required: false, nullable: true), "created_at": time,
    ])

    static let login = JSONSchema.object(properties: [
        "token": .string,
        "agent": .object(properties: ["id": id, "name": .string, "email": .string(nullable: true), "business": id, "department": optionalID,
                                 "is_admin": .boolean]),
    ])

    static let health = JSONSchema.object(properties: [
        "status": .string(allowedValues: "ok", "unavailable"), "database": .string(allowedValues: "ok", "unreachable", "failing"),
        "bus": .string(required: false, allowedValues: "listening", "reconnecting"), "connections": .integer,
    ])

    static let demo = JSONSchema.object(properties: ["business": id, "department": optionalID])

    // Request bodies.

    static let startSessionBody = JSONSchema.object(properties: [
        "business": id, "department": .string(format: .uuid, required: false, nullable: true),
        "external_customer_id": .string(required: false, nullable: true, minLength: 1, maxLength: 255),
        "customer_token": .string(required: false, nullable: true, maxLength: 8192),
        "name": .string(required: false, nullable: true, maxLength: 100), "email": .string(format: .email, required: false, nullable: true, maxLength: 254),
    ])

    static let uploadBody = JSONSchema.object(properties: [
        "file": .string(contentEncoding: .binary),
        "message": .string(required: false), "session_id": .string(format: .uuid, required: false),
        "uploaded_by_end_user": .string(format: .uuid, required: false), "uploaded_by_agent": .string(format: .uuid, required: false),
    ])

    static let loginBody = JSONSchema.object(properties: ["email": .string(maxLength: 255), "password": .string(maxLength: 72)])

    static let assignBody = JSONSchema.object(properties: ["agent_id": .string(format: .uuid, required: false, nullable: true)])

    static let transferBody = JSONSchema.object(properties: ["department": id])

    static let businessBody = JSONSchema.object(properties: [
        "name": .string(maxLength: 255), "allowed_origins": .array(required: false, items: .string(format: .uri)),
        "allow_unverified_customer_ids": .boolean(required: false), "auto_assign": .boolean(required: false),
    ])

    static let departmentBody = JSONSchema.object(properties: ["name": .string(maxLength: 255)])

    static let agentBody = JSONSchema.object(properties: [
        "email": .string(format: .email, maxLength: 255), "password": .string(minLength: 8, maxLength: 72), "name": .string(maxLength: 255),
        "department": .string(format: .uuid, required: false, nullable: true), "is_admin": .boolean(required: false),
    ])

    static let agentUpdateBody = JSONSchema.object(properties: ["active": .boolean(required: false), "is_admin": .boolean(required: false)])

    static let settingsBody = JSONSchema.object(properties: [
        "name": .string(required: false, maxLength: 200), "greeting": .string(required: false, nullable: true, maxLength: 1000),
        "offline_message": .string(required: false, nullable: true, maxLength: 1000),
        "prechat": .object(required: false, properties: [
            "name": .string(required: false, allowedValues: "off", "optional", "required"),
            "email": .string(required: false, allowedValues: "off", "optional", "required"),
        ]),
        "allowed_origins": .array(required: false, items: .string(format: .uri)), "auto_assign": .boolean(required: false),
        "retention_days": .integer(required: false, nullable: true, maximum: (3650, exclusive: false), minimum: (1, exclusive: false)),
    ])

    static let keyBody = JSONSchema.object(properties: ["jwk": .object(required: false, nullable: true)])
}
