import Foundation
import OpenAPIKit

/// `/asyncapi.json`: the AsyncAPI 3 document of the two sockets. No AsyncAPI library is in the
/// package mirror, so the document's few object kinds are the Encodable types below; the frames'
/// payloads are OpenAPIKit JSON schemas (AsyncAPI's default schema format is a JSON Schema superset).
struct AsyncAPIDocument: Encodable {
    struct Info: Encodable {
        let title: String
        let version: String
        let description: String
    }

    struct Reference: Encodable {
        let ref: String
        enum CodingKeys: String, CodingKey { case ref = "$ref" }
    }

    struct Message: Encodable {
        let name: String
        let summary: String
        let payload: JSONSchema
    }

    struct Bindings: Encodable {
        struct WebSocket: Encodable {
            let method = "GET"
            let query: JSONSchema
            let headers: JSONSchema
            let bindingVersion = "0.1.0"
        }
        let ws: WebSocket
    }

    struct Channel: Encodable {
        let address: String
        let title: String
        let description: String
        let messages: [String: Message]
        let bindings: Bindings
        /// Close code → reason, for readers and for the /docs page.
        let closeCodes: [String: String]
        enum CodingKeys: String, CodingKey {
            case address, title, description, messages, bindings
            case closeCodes = "x-close-codes"
        }
    }

    struct Operation: Encodable {
        let action: String
        let channel: Reference
        let summary: String
        let messages: [Reference]
    }

    let asyncapi = "3.0.0"
    let info: Info
    let defaultContentType = "application/json"
    let channels: [String: Channel]
    let operations: [String: Operation]

    static func json(version: String) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(make(version: version))
    }

    static func make(version: String) -> AsyncAPIDocument {
        let chat = chatChannel, feed = feedChannel
        return AsyncAPIDocument(
            info: Info(
                title: "livechat sockets", version: version,
                description: """
                    Both WebSockets of livechat. Every frame is one JSON object in one text message. The token \
                    goes in `Sec-WebSocket-Protocol: Bearer, <token>` (or `Authorization: Bearer <token>`). \
                    docs/API.md says what each field means.
                    """),
            channels: ["chat": chat, "feed": feed],
            operations: [
                "sendToChat": operation("send", "chat", "What a visitor or an agent sends on the chat socket", chat, sent: true),
                "receiveFromChat": operation("receive", "chat", "What the chat socket delivers", chat, sent: false),
                "sendToFeed": operation("send", "feed", "The feed is read-only: what a client sends is refused", feed, sent: true),
                "receiveFromFeed": operation("receive", "feed", "What the agent feed delivers", feed, sent: false),
            ])
    }

    /// The client's frames are the messages whose id starts with `send`.
    private static func operation(_ action: String, _ channel: String, _ summary: String, _ of: Channel, sent: Bool) -> Operation {
        Operation(
            action: action, channel: Reference(ref: "#/channels/\(channel)"), summary: summary,
            messages: of.messages.keys.sorted().filter { $0.hasPrefix("send") == sent }.map { Reference(ref: "#/channels/\(channel)/messages/\($0)") })
    }

    private static let transportCloses: [String: String] = [
        "1001": "Silent past the heartbeat timeout, or the server is shutting down",
        "1002": "A WebSocket protocol violation",
        "1003": "A binary frame",
        "1007": "A text message that is not UTF-8",
        "1008": "Too many messages (pings and pongs count), or a client that stopped reading",
        "1009": "A frame or message over 64 KiB",
        "1011": "The catch-up could not be read from the database",
        "4003": "Unauthorized access (also when the token expires, is logged out or its agent deactivated)",
    ]

    private static let id = OpenAPISchemas.id
    private static let time = OpenAPISchemas.time

    private typealias Properties = OrderedDictionary<String, JSONSchema>

    /// A frame's schema: its `type`, then its other fields.
    private static func frame(_ type: String, _ properties: Properties) -> JSONSchema {
        var all: Properties = ["type": .string(allowedValues: AnyCodable(type))]
        for (name, schema) in properties { all[name] = schema }
        return .object(properties: all)
    }

    private static var chatChannel: Channel {
        let clientID = JSONSchema.string(required: false, nullable: true, minLength: 1, maxLength: 100)
        let messages: [String: Message] = [
            "sendText": Message(name: "text", summary: "A text message (trimmed; 1 to LIVECHAT_MAX_TEXT characters, no NUL)",
                                payload: frame("text", ["content": .string, "client_id": clientID])),
            "sendNote": Message(name: "note", summary: "A private note (agents only: a visitor gets an error frame); stored and numbered like a text, sent only to the session's agents and the agent feed",
                                payload: frame("note", ["content": .string, "client_id": clientID])),
            "sendFile": Message(name: "file", summary: "An uploaded file of this session, by its URL",
                                payload: frame("file", ["file": .string(maxLength: 2048), "is_audio": .boolean(required: false), "client_id": clientID])),
            "sendEndSession": Message(name: "end_session", summary: "End the session", payload: frame("end_session", [:])),
            "sendTyping": Message(name: "typing", summary: "The sender is typing (never stored)",
                                  payload: frame("typing", ["is_typing": .boolean(required: false)])),
            "sendRead": Message(name: "read", summary: "The sender has read up to this message",
                                payload: frame("read", ["message_id": id])),
            "connectionEstablished": Message(name: "connection_established", summary: "The first frame of an accepted socket",
                                             payload: frame("connection_established", ["session_id": id])),
            "message": Message(name: "message", summary: "A stored message (type text or file), to every socket of the session in seq order (the sender's copy is its acknowledgement)",
                               payload: OpenAPISchemas.message),
            "note": Message(name: "note", summary: "A private note, to the session's agent sockets only (never a visitor's: not live, not in catch-up, not in history)",
                            payload: frame("note", ["id": id, "session_id": id, "seq": .integer, "content": .string, "sender_id": id,
                                                    "sender_type": .string(allowedValues: "agent"), "timestamp": time, "private": .boolean])),
            "typing": Message(name: "typing", summary: "Another socket of the session is typing",
                              payload: frame("typing", ["session_id": id, "sender_id": id, "sender_type": .string(allowedValues: "visitor", "agent"), "is_typing": .boolean])),
            "read": Message(name: "read", summary: "A participant's read marker moved",
                            payload: frame("read", ["session_id": id, "message_id": id, "seq": .integer, "reader_id": id,
                                                    "reader_type": .string(allowedValues: "visitor", "agent"), "timestamp": time])),
            "participantJoined": Message(name: "participant_joined", summary: "A participant opened its first socket on the session",
                                         payload: participant("participant_joined")),
            "participantLeft": Message(name: "participant_left", summary: "A participant closed its last socket on the session",
                                       payload: participant("participant_left")),
            "sessionAssigned": Message(name: "session_assigned", summary: "The chat was assigned", payload: frame("session_assigned", assigned)),
            "sessionTransferred": Message(name: "session_transferred", summary: "The chat moved to another department", payload: frame("session_transferred", transferred)),
            "sessionEnded": Message(name: "session_ended", summary: "The session ended; close 4006 follows",
                                    payload: frame("session_ended", ["message": .string, "timestamp": time, "session_id": id])),
            "error": Message(name: "error", summary: "A frame that was not accepted (nothing stored); the socket stays open unless a close follows",
                             payload: frame("error", ["message": .string])),
        ]
        return Channel(
            address: "/ws/visitor-chat/", title: "The chat socket",
            description: "One session's visitor and agents. Messages are stored, then broadcast to every socket of the session in seq order; connect with last_seq to receive what was missed.",
            messages: messages,
            bindings: Bindings(ws: .init(
                query: .object(properties: ["session_id": id, "last_seq": .integer(required: false, minimum: (0, exclusive: false))]),
                headers: .object(properties: ["Sec-WebSocket-Protocol": .string(required: false)]))),
            closeCodes: transportCloses.merging([
                "4001": "Missing session_id", "4002": "Invalid session_id", "4006": "Session has ended",
            ]) { $1 })
    }

    private static var feedChannel: Channel {
        func event(_ type: String, _ properties: Properties) -> JSONSchema {
            var all: Properties = ["cursor": .integer]
            for (name, schema) in properties { all[name] = schema }
            return frame(type, all)
        }
        let messages: [String: Message] = [
            "sendAnything": Message(name: "any text", summary: "The feed is read-only: every text message is answered with an error frame",
                                    payload: .string),
            "connectionEstablished": Message(name: "connection_established", summary: "The first frame, with the business's latest cursor",
                                             payload: frame("connection_established", ["agent_id": id, "business": id, "cursor": .integer])),
            "sessionStarted": Message(name: "session_started", summary: "A session was created",
                                      payload: event("session_started", ["session_id": id, "session": OpenAPISchemas.sessionSummary])),
            "message": Message(name: "message", summary: "A chat message was stored",
                               payload: event("message", ["session_id": id, "message": OpenAPISchemas.message])),
            "sessionEnded": Message(name: "session_ended", summary: "A session ended",
                                    payload: event("session_ended", ["session_id": id, "timestamp": time])),
            "sessionAssigned": Message(name: "session_assigned", summary: "A chat was assigned", payload: event("session_assigned", assigned)),
            "sessionTransferred": Message(name: "session_transferred", summary: "A chat was transferred", payload: event("session_transferred", transferred)),
            "agentPresence": Message(name: "agent_presence", summary: "An agent came online or went offline",
                                     payload: event("agent_presence", ["agent_id": id, "online": .boolean, "timestamp": time])),
            "sessionRated": Message(name: "session_rated", summary: "The visitor rated an ended chat",
                                    payload: event("session_rated", [
                                        "session_id": id, "timestamp": time,
                                        "rating": .object(properties: ["score": .integer, "comment": .string(nullable: true)]),
                                    ])),
            "error": Message(name: "error", summary: "A refused client frame, or too many missed events",
                             payload: frame("error", ["message": .string])),
        ]
        return Channel(
            address: "/ws/agent/", title: "The agent feed",
            description: "The business's events, numbered by cursor and delivered in order without a gap on every node; connect with cursor to receive what was missed (at most 5000).",
            messages: messages,
            bindings: Bindings(ws: .init(
                query: .object(properties: ["cursor": .integer(required: false, minimum: (0, exclusive: false))]),
                headers: .object(properties: ["Sec-WebSocket-Protocol": .string(required: false)]))),
            closeCodes: transportCloses)
    }

    private static func participant(_ type: String) -> JSONSchema {
        frame(type, ["session_id": id, "participant_id": id, "participant_type": .string(allowedValues: "visitor", "agent"), "timestamp": time])
    }

    /// An assignment or a transfer, as the session socket sends it (the feed adds `cursor`).
    private static let assigned: Properties = [
        "session_id": id, "agent_id": OpenAPISchemas.optionalID, "agent_name": .string(nullable: true),
        "assigned_by": OpenAPISchemas.optionalID, "timestamp": time,
    ]

    private static let transferred: Properties = [
        "session_id": id, "department": id, "department_name": .string, "from_department": OpenAPISchemas.optionalID,
        "transferred_by": OpenAPISchemas.optionalID, "timestamp": time,
    ]
}
