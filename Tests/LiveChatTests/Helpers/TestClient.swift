import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Vapor
@testable import ChatDomain
@testable import ChatRealtime
@testable import LiveChat

/// A JSON object from a response or a socket frame.
typealias JSON = [String: Any]

/// An HTTP answer as a client sees it.
struct HTTPReply: @unchecked Sendable {  // `json` is only read by the test that made the request.
    let status: Int
    let headers: HTTPHeaders
    let body: Data

    var json: JSON { (try? JSONSerialization.jsonObject(with: body)) as? JSON ?? [:] }
    var data: JSON { json["data"] as? JSON ?? [:] }
    var message: String? { json["message"] as? String }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// Talks to a `TestServer` over real HTTP, the way the seed's clients do.
struct TestClient: Sendable {
    let server: TestServer

    func request(_ method: HTTPMethod, _ path: String, token: String? = nil, json: Any? = nil,
                 body: Data? = nil, headers extra: [(String, String)] = []) async throws -> HTTPReply {
        var request = HTTPClientRequest(url: server.base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: json)))
        } else if let body {
            request.body = .bytes(ByteBuffer(data: body))
        }
        // Bounded, with room for the whole suite's servers starting at once on two cores (fifty
        // parallel starts on PostgreSQL beside them went past 30 s in a full run).
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return HTTPReply(status: Int(response.status.code), headers: response.headers, body: Data(buffer: bytes))
    }

    func post(_ path: String, token: String? = nil, json: Any? = [String: Any]()) async throws -> HTTPReply {
        try await request(.POST, path, token: token, json: json)
    }

    func get(_ path: String, token: String? = nil) async throws -> HTTPReply {
        try await request(.GET, path, token: token)
    }

    func patch(_ path: String, token: String? = nil, json: Any? = [String: Any]()) async throws -> HTTPReply {
        try await request(.PATCH, path, token: token, json: json)
    }

    // MARK: tokens

    func adminToken() async throws -> String {
        try await server.tokens.mint(role: .admin, subject: UUID(), business: nil, lifetime: 3600)
    }

    func agentToken(_ business: String, agent: UUID = UUID()) async throws -> String {
        try await server.tokens.mint(role: .agent, subject: agent, business: UUID(uuidString: business), lifetime: 3600)
    }

    // MARK: fixtures

    struct Business: Sendable {
        let id: String
        let department: String
        let identitySecret: String
    }

    struct Chat: Sendable {
        let id: String
        let token: String
        let visitorID: String
        let status: Int
    }

    func makeBusiness(_ options: [String: Any] = [:]) async throws -> Business {
        let admin = try await adminToken()
        var body: [String: Any] = ["name": "Shop \(UUID().uuidString.prefix(8))"]
        body.merge(options) { $1 }
        let created = try await post("/admin/businesses/", token: admin, json: body)
        guard created.status == 201, let id = created.data["id"] as? String,
              let secret = created.data["identity_secret"] as? String else { throw TestFailure("business: \(created.text)") }
        let department = try await post("/admin/businesses/\(id)/departments/", token: admin, json: ["name": "Support"])
        guard let departmentID = department.data["id"] as? String else { throw TestFailure("department: \(department.text)") }
        return Business(id: id, department: departmentID, identitySecret: secret)
    }

    func startChat(_ business: Business, token: String? = nil, extra: [String: Any] = [:]) async throws -> Chat {
        var body: [String: Any] = ["business": business.id]
        body.merge(extra) { $1 }
        let reply = try await post("/chat/start-session/", token: token, json: body)
        guard [200, 201].contains(reply.status), let id = reply.data["session_id"] as? String,
              let visitorToken = reply.data["token"] as? String, let visitor = reply.data["visitor_id"] as? String
        else { throw TestFailure("start-session: \(reply.status) \(reply.text)") }
        return Chat(id: id, token: visitorToken, visitorID: visitor, status: reply.status)
    }

    func upload(token: String?, content: Data, fileName: String, contentType: String,
                fields: [String: String] = [:], headers: [(String, String)] = []) async throws -> HTTPReply {
        let boundary = "----livechat\(UUID().uuidString)"
        var body = Data()
        for (name, value) in fields {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
        }
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(fileName)\"\r\nContent-Type: \(contentType)\r\n\r\n".utf8))
        body.append(content)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        return try await request(.POST, "/chat/upload-file/", token: token, body: body,
                                 headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")] + headers)
    }

    func history(_ session: String, token: String?, query: String = "") async throws -> HTTPReply {
        try await get("/chat/history/\(session)/\(query)", token: token)
    }

    /// Opens a chat socket with `Sec-WebSocket-Protocol: Bearer, <token>`.
    func socket(session: String?, token: String?, query: String = "", headers: [(String, String)] = [],
                subprotocols: [String]? = nil) async throws -> TestSocket {
        var params: [String] = []
        if let session { params.append("session_id=\(session)") }
        if !query.isEmpty { params.append(query) }
        let protocols = subprotocols ?? (token.map { ["Bearer", $0] } ?? [])
        return try await TestSocket.connect(
            port: server.port, path: "/ws/visitor-chat/", query: params.isEmpty ? nil : params.joined(separator: "&"),
            subprotocols: protocols, headers: headers)
    }

    /// The agent feed, after its `connection_established` (returned too).
    func feed(token: String, cursor: Int? = nil) async throws -> (TestSocket, JSON) {
        let socket = try await TestSocket.connect(
            port: server.port, path: "/ws/agent/", query: cursor.map { "cursor=\($0)" }, subprotocols: ["Bearer", token])
        let first = try await socket.next()
        guard first["type"] as? String == "connection_established" else { throw TestFailure("feed not established: \(first)") }
        return (socket, first)
    }

    /// An agent created through the admin API, logged in: its id and token.
    func loginAgent(_ business: Business, department: String? = nil, email: String? = nil,
                    admin: Bool = false) async throws -> (id: String, token: String) {
        let address = email ?? "agent-\(UUID().uuidString.prefix(8))@shop.example"
        var body: [String: Any] = ["email": address, "password": "secret-password", "name": "Agent \(address.prefix(6))"]
        if let department { body["department"] = department }
        if admin { body["is_admin"] = true }
        let created = try await post("/admin/businesses/\(business.id)/agents/", token: try await adminToken(), json: body)
        guard created.status == 201 else { throw TestFailure("agent: \(created.text)") }
        let login = try await post("/auth/login/", json: ["email": address, "password": "secret-password"])
        guard let token = login.data["token"] as? String, let id = (login.data["agent"] as? JSON)?["id"] as? String else {
            throw TestFailure("login: \(login.text)")
        }
        return (id, token)
    }

    /// A socket that must be accepted: returns it after its `connection_established`.
    func joined(_ chat: Chat, token: String? = nil, query: String = "") async throws -> TestSocket {
        let socket = try await socket(session: chat.id, token: token ?? chat.token, query: query)
        let first = try await socket.next()
        guard first["type"] as? String == "connection_established" else { throw TestFailure("not established: \(first)") }
        return socket
    }
}

enum Samples {
    static let pdf = Data("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n".utf8)
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8) + [UInt8](repeating: 1, count: 17))
    static let wav = Data(Array("RIFF".utf8) + [36, 0, 0, 0] + Array("WAVEfmt ".utf8) + [UInt8](repeating: 0, count: 28))
    static let elf = Data([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 100))
    static let html = Data("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>\n".utf8)
    static let svg = Data("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".utf8)
}
