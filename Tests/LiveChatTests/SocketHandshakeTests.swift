import Foundation
import Testing
import WebSocketKit
@testable import ChatDomain
@testable import LiveChat

@Suite("WS /ws/visitor-chat/ handshake and close codes", .timeLimit(.minutes(3)))
struct SocketHandshakeTests {
    @Test func acceptedSocketGetsConnectionEstablishedAndBearerSubprotocol() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let socket = try await client.socket(session: chat.id, token: chat.token)
            let first = try await socket.next()
            #expect(first["type"] as? String == "connection_established")
            #expect(first["session_id"] as? String == chat.id)
            await socket.close()
        }
    }

    @Test func serverAnswersTheBearerSubprotocol() async throws {
        try await withServer { server, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let reply = try await RawHandshake.send(port: server.port, path: "/ws/visitor-chat/?session_id=\(chat.id)",
                                                    extra: "Sec-WebSocket-Protocol: Bearer, \(chat.token)\r\n")
            #expect(reply.hasPrefix("HTTP/1.1 101"))
            #expect(reply.lowercased().contains("sec-websocket-protocol: bearer\r\n"))
            #expect(!reply.contains(chat.token))
        }
    }

    @Test func missingSessionIDCloses4001() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let socket = try await client.socket(session: nil, token: chat.token)
            #expect(try await socket.closed().code == 4001)
        }
    }

    @Test(arguments: ["not-a-uuid", "00000000-0000-0000-0000-00000000000g", UUID().uuidString])
    func malformedOrUnknownSessionCloses4002(session: String) async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let socket = try await client.socket(session: session, token: chat.token)
            #expect(try await socket.closed().code == 4002)
        }
    }

    /// The handshake reads its query by hand: percent-encoding is decoded (names and values), a
    /// bad `last_seq` is ignored, and a `session_id` that decodes to no UUID is 4002.
    @Test func theQueryIsPercentDecodedAndABadValueIsRefused() async throws {
        try await withServer { server, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let encoded = chat.id.replacingOccurrences(of: "-", with: "%2D")
            let accepted = try await TestSocket.connect(port: server.port, path: "/ws/visitor-chat/",
                                                        query: "x=1&session%5Fid=\(encoded)&last_seq=abc", subprotocols: ["Bearer", chat.token])
            #expect(try await accepted.next(type: "connection_established")["session_id"] as? String == chat.id)
            await accepted.close()
            let literal = try await TestSocket.connect(port: server.port, path: "/ws/visitor-chat/",
                                                       query: "session_id=%25ZZ", subprotocols: ["Bearer", chat.token])
            #expect(try await literal.closed().code == 4002)
        }
    }

    @Test func anotherBusinesssSessionCloses4002ForAgentAndVisitor() async throws {
        try await withServer { _, client in
            let mine = try await client.makeBusiness()
            let theirs = try await client.makeBusiness()
            let theirChat = try await client.startChat(theirs)
            let myChat = try await client.startChat(mine)
            for token in [try await client.agentToken(mine.id), myChat.token] {
                let socket = try await client.socket(session: theirChat.id, token: token)
                #expect(try await socket.closed().code == 4002)
            }
        }
    }

    @Test(arguments: BadToken.allCases)
    func badTokensClose4003(kind: BadToken) async throws {
        try await withServer { server, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let token = try kind.make(business: business.id, server: server)
            let socket = try await client.socket(session: chat.id, token: nil, subprotocols: token.map { ["Bearer", $0] } ?? [])
            let (code, frames) = try await socket.closed()
            #expect(code == 4003)
            #expect(!frames.contains { $0["type"] as? String == "connection_established" })
        }
    }

    @Test func anotherVisitorOfTheSameBusinessCloses4003() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let stranger = try await client.startChat(business)
            let socket = try await client.socket(session: chat.id, token: stranger.token)
            #expect(try await socket.closed().code == 4003)
            let admin = try await client.socket(session: chat.id, token: try await client.adminToken())
            #expect(try await admin.closed().code == 4003)
        }
    }

    @Test func endedSessionGetsTheSeedErrorThen4006() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            #expect(try await client.post("/chat/sessions/\(chat.id)/end/", token: chat.token).status == 200)
            let socket = try await client.socket(session: chat.id, token: chat.token)
            let (code, frames) = try await socket.closed()
            #expect(code == 4006)
            #expect(frames.count == 1)
            #expect(frames.first?["type"] as? String == "error")
            #expect(frames.first?["message"] as? String == "This session has ended. No further communication is allowed.")
        }
    }

    @Test func originOutsideTheAllowlistIsRefusedBeforeTheUpgrade() async throws {
        try await withServer { server, client in
            let business = try await client.makeBusiness(["allowed_origins": ["https://shop.example"]])
            let chat = try await client.startChat(business)
            let path = "/ws/visitor-chat/?session_id=\(chat.id)"
            let refused = try await RawHandshake.send(port: server.port, path: path,
                extra: "Origin: https://evil.example\r\nSec-WebSocket-Protocol: Bearer, \(chat.token)\r\n")
            #expect(refused.hasPrefix("HTTP/1.1 403"))
            let allowed = try await client.socket(session: chat.id, token: chat.token, headers: [("Origin", "https://shop.example")])
            #expect(try await allowed.next()["type"] as? String == "connection_established")
            let noOrigin = try await client.joined(chat)
            await noOrigin.close()
            await allowed.close()
        }
    }

    @Test func plainGetIsNotUpgraded() async throws {
        try await withServer { _, client in
            let reply = try await client.get("/ws/visitor-chat/?session_id=\(UUID().uuidString)")
            #expect(reply.status == 426)
            #expect(reply.message != nil)
        }
    }
}

enum BadToken: String, CaseIterable, Sendable {
    case missing, garbage, expired, algNone, wrongSecret, hs512, missingExp, missingBusiness, tampered, unknownRole

    func make(business: String, server: TestServer) throws -> String? {
        let now = Int(Date().timeIntervalSince1970)
        let good: [String: Any] = ["sub": UUID().uuidString, "role": "agent", "business": business, "iat": now, "exp": now + 600]
        func sign(_ claims: [String: Any], alg: String = "HS256", secret: String = TestServer.secret) throws -> String {
            try CustomerToken.raw(claims: claims, secret: secret, alg: alg)
        }
        switch self {
        case .missing: return nil
        case .garbage: return "not.a.jwt"
        case .expired: return try sign(good.merging(["iat": now - 7200, "exp": now - 3600]) { $1 })
        case .algNone: return try sign(good, alg: "none")
        case .wrongSecret: return try sign(good, secret: "another-secret-another-secret-another-secret")
        case .hs512: return try sign(good, alg: "HS512")
        case .missingExp: return try sign(good.filter { $0.key != "exp" })
        case .missingBusiness: return try sign(good.filter { $0.key != "business" })
        case .unknownRole: return try sign(good.merging(["role": "superuser"]) { $1 })
        case .tampered:
            let token = try sign(good)
            let parts = token.split(separator: ".")
            let forged = try JSONSerialization.data(withJSONObject: good.merging(["sub": UUID().uuidString]) { $1 })
            return "\(parts[0]).\(CustomerToken.base64url(forged)).\(parts[2])"
        }
    }
}

/// A handshake written by hand, to read the exact status line and headers the server answers.
enum RawHandshake {
    static func send(port: Int, path: String, extra: String) async throws -> String {
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\(extra)\r\n"
        return try await RawTCP.exchange(port: port, bytes: Array(request.utf8), until: "\r\n\r\n")
    }
}
