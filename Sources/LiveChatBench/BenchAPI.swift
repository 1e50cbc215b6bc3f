import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// The public HTTP API, as the benchmark uses it.
struct BenchAPI: Sendable {
    let base: String
    let secret: String

    struct Chat: Sendable {
        let session: String
        let token: String
    }

    func post(_ path: String, token: String?, json: [String: Any]) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: json)))
        return try await send(request)
    }

    func get(_ path: String, token: String) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: base + path)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        return try await send(request)
    }

    private func send(_ request: HTTPClientRequest) async throws -> [String: Any] {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 64 * 1024 * 1024)
        guard (200..<300).contains(response.status.code),
              let json = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else {
            throw BenchError("\(request.method) \(request.url) → \(response.status.code): \(String(buffer: body).prefix(200))")
        }
        return json
    }

    func createBusiness() async throws -> String {
        let admin = Tokens.mint(secret: secret, role: "admin")
        let reply = try await post("/admin/businesses/", token: admin, json: ["name": "bench-\(UUID().uuidString.prefix(8))"])
        guard let id = (reply["data"] as? [String: Any])?["id"] as? String else { throw BenchError("no business id") }
        return id
    }

    func startChat(business: String) async throws -> Chat {
        let reply = try await post("/chat/start-session/", token: nil, json: ["business": business])
        guard let data = reply["data"] as? [String: Any], let session = data["session_id"] as? String,
              let token = data["token"] as? String else { throw BenchError("no session in \(reply)") }
        return Chat(session: session, token: token)
    }

    /// How many messages the session's history holds (following `after` pages).
    func storedMessages(session: String, token: String) async throws -> Int {
        var count = 0
        var after = ""
        while true {
            let reply = try await get("/chat/history/\(session)/?limit=1000\(after)", token: token)
            let messages = (reply["data"] as? [[String: Any]] ?? []).filter { $0["type"] as? String == "message" }
            count += messages.count
            guard messages.count == 1000, let last = (messages.last?["data"] as? [String: Any])?["id"] as? String else { return count }
            after = "&after=\(last)"
        }
    }
}
