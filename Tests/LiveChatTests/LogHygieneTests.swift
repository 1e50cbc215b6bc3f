import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
@testable import LiveChat

/// CONTRACT.md "Limits": the log carries a request id and never a token, a secret, a password,
/// message content or a bind value — shown on a real `livechat serve` logging at debug.
@Suite("The log keeps no secrets", .timeLimit(.minutes(3)))
struct LogHygieneTests {
    private struct Reply {
        let status: Int
        let json: JSON
        var data: JSON { json["data"] as? JSON ?? [:] }
    }

    private func call(_ port: Int, _ method: HTTPMethod, _ path: String, token: String? = nil, json: Any? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: json)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Reply(status: Int(response.status.code), json: (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? JSON ?? [:])
    }

    @Test func trafficWithKnownSecretsLeavesNoneOfThemInTheLog() async throws {
        try await withDataFolder { config in
            let node = try await NodeProcess.start(config: config, environment: ["LOG_LEVEL": "debug"])
            defer { node.kill() }
            let port = node.port
            let now = Int(Date().timeIntervalSince1970)
            let admin = try CustomerToken.raw(claims: ["sub": UUID().uuidString.lowercased(), "role": "admin", "iat": now, "exp": now + 600],
                                              secret: config.jwtSecret)
            let password = "Sentinel-Password-\(UUID().uuidString.prefix(8))"
            let wrongPassword = "Wrong-Sentinel-\(UUID().uuidString.prefix(8))"
            let text = "sentinel message \(UUID().uuidString)"

            let business = try await call(port, .POST, "/admin/businesses/", token: admin, json: ["name": "Log Shop"])
            let businessID = try #require(business.data["id"] as? String)
            let identitySecret = try #require(business.data["identity_secret"] as? String)
            let key = try await call(port, .POST, "/admin/businesses/\(businessID)/keys/", token: admin)
            let keySecret = try #require(key.data["secret"] as? String)
            #expect(try await call(port, .POST, "/admin/businesses/\(businessID)/agents/", token: admin,
                                   json: ["email": "log@shop.example", "password": password, "name": "Log"]).status == 201)
            let login = try await call(port, .POST, "/auth/login/", json: ["email": "log@shop.example", "password": password])
            let agentToken = try #require(login.data["token"] as? String)
            #expect(try await call(port, .POST, "/auth/login/", json: ["email": "log@shop.example", "password": wrongPassword]).status == 401)
            let customerToken = try CustomerToken.sign(sub: "cust-sentinel", secret: identitySecret)
            let started = try await call(port, .POST, "/chat/start-session/",
                                         json: ["business": businessID, "external_customer_id": "cust-sentinel", "customer_token": customerToken])
            let session = try #require(started.data["session_id"] as? String)
            let visitorToken = try #require(started.data["token"] as? String)
            // A bad token, a repeated client_id, a refused frame.
            #expect(try await call(port, .GET, "/chat/sessions/", token: agentToken + "x").status == 401)

            let visitor = try await TestSocket.connect(port: port, path: "/ws/visitor-chat/", query: "session_id=\(session)",
                                                       subprotocols: ["Bearer", visitorToken])
            let agent = try await TestSocket.connect(port: port, path: "/ws/visitor-chat/", query: "session_id=\(session)",
                                                     subprotocols: ["Bearer", agentToken])
            _ = try await agent.next(type: "connection_established")
            try await visitor.send(["type": "text", "content": text, "client_id": "c-1"])
            try await visitor.send(["type": "text", "content": text, "client_id": "c-1"])
            try await visitor.sendText(#"{"type": "text", "content": 12, "secret": "\#(text)"}"#)
            _ = try await agent.next(type: "text")
            _ = try await visitor.next(type: "error")
            #expect(try await call(port, .GET, "/chat/history/\(session)/", token: visitorToken).status == 200)
            #expect(try await call(port, .POST, "/auth/logout/", token: agentToken).status == 200)
            _ = try await agent.closed()
            await visitor.close()

            let log = node.logText
            #expect(log.contains("POST /auth/login/ [request-id: "), "no request id in the log")
            let secrets = [("the server's secret", config.jwtSecret), ("a password", password), ("a wrong password", wrongPassword),
                           ("message content", text), ("the identity secret", identitySecret), ("a key's secret", keySecret),
                           ("the admin token", admin), ("an agent token", agentToken), ("a visitor token", visitorToken),
                           ("a customer token", customerToken), ("the signature of a token", String(agentToken.split(separator: ".").last ?? ""))]
            for (what, secret) in secrets {
                #expect(!log.contains(secret), "\(what) is in the log")
            }
        }
    }
}
