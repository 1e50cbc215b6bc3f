import AsyncHTTPClient
import Foundation
import Testing
@testable import ChatDomain
@testable import ChatStorage
@testable import ChatRealtime
@testable import LiveChat

@Suite("Settings and health", .timeLimit(.minutes(3)))
struct ConfigTests {
    private func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("livechat-config-\(UUID().uuidString)").path
    }

    @Test func aGeneratedSecretIsKeptWithMode0600AndReused() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try AppConfig.fromEnvironment(["LIVECHAT_DATA_DIR": directory])
        let second = try AppConfig.fromEnvironment(["LIVECHAT_DATA_DIR": directory])
        #expect(first.jwtSecret == second.jwtSecret)
        #expect(first.jwtSecret.utf8.count >= 32)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/jwt-secret")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test(arguments: [
        ["LIVECHAT_JWT_SECRET": "too-short"],
        ["LIVECHAT_MAX_UPLOAD_BYTES": "lots"],
        ["LIVECHAT_MAX_TEXT": "0"],
        ["LIVECHAT_PUBLIC_VISITOR_HTTP": "maybe"],
        ["LIVECHAT_PUBLIC_URL": "not a url"],
        ["DATABASE_URL": "mysql://x", "LIVECHAT_JWT_SECRET": String(repeating: "s", count: 32)],
        ["DATABASE_URL": "postgres://livechat@127.0.0.1/livechat"],
        ["LIVECHAT_WAL_RESTART_MB": "0"],
        ["LIVECHAT_DB_POOL": "0"],
        ["LIVECHAT_DB_STATEMENT_TIMEOUT_MS": "5"],
        ["LIVECHAT_JWKS_FILE": "/etc/hostname"],  // no LIVECHAT_JWKS_ISSUER / _AUDIENCE
        ["LIVECHAT_TRUSTED_PROXIES": "10.0.0.0/33"],
        ["LIVECHAT_TRUSTED_PROXIES": "10.0.0.0/8,proxy.example"],
        ["LIVECHAT_START_SESSIONS_PER_MINUTE": "-1"],
        ["LIVECHAT_HTTP_IDLE_TIMEOUT": "5", "LIVECHAT_WS_HEARTBEAT_TIMEOUT": "60"],
    ])
    func invalidSettingsAreRefusedAtBoot(env: [String: String]) throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(env.merging(["LIVECHAT_DATA_DIR": directory]) { $1 }) }
    }

    @Test func settingsAreRead() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = try AppConfig.fromEnvironment([
            "LIVECHAT_DATA_DIR": directory, "LIVECHAT_JWT_SECRET": String(repeating: "s", count: 32),
            "LIVECHAT_PUBLIC_URL": "https://chat.example/", "LIVECHAT_MAX_UPLOAD_BYTES": "1000", "LIVECHAT_MAX_TEXT": "10",
            "LIVECHAT_PUBLIC_VISITOR_HTTP": "1", "LIVECHAT_WAL_RESTART_MB": "256"])
        #expect(config.publicURL == "https://chat.example")
        #expect(config.walRestartMiB == 256)
        #expect(config.maxUploadBytes == 1000 && config.maxTextLength == 10 && config.publicVisitorHTTP)
        let limits = try AppConfig.fromEnvironment([
            "LIVECHAT_DATA_DIR": directory, "LIVECHAT_TRUSTED_PROXIES": "10.0.0.0/8, fd00::/8,192.0.2.1",
            "LIVECHAT_START_SESSIONS_PER_MINUTE": "0", "LIVECHAT_SOCKETS_PER_SESSION": "3", "LIVECHAT_UPLOADS_PER_SESSION": "7"]).limits
        #expect(limits.trustedProxies.blocks.count == 3)
        #expect(limits.startSession.perMinute == 0 && limits.socketsPerSession == 3)
    }

    @Test func publicURLIsTheBaseOfFileURLs() async throws {
        try await withServer({ $0.publicURL = "https://chat.example" }) { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let upload = try await client.upload(token: chat.token, content: Samples.pdf, fileName: "a.pdf", contentType: "application/pdf")
            #expect((upload.data["file"] as? String)?.hasPrefix("https://chat.example/media/chat_attachments/") == true)
        }
    }

    @Test func healthReportsTheDatabase() async throws {
        try await withServer { _, client in
            let reply = try await client.get("/health")
            #expect(reply.status == 200)
            #expect(reply.data["database"] as? String == "ok")
        }
    }

    @Test func unknownRoutesAnswerTheErrorEnvelope() async throws {
        try await withServer { _, client in
            let reply = try await client.get("/no/such/thing/")
            #expect(reply.status == 404)
            #expect(reply.message != nil)
        }
    }
}

@Suite("Pages served by the app", .timeLimit(.minutes(3)))
struct PagesTests {
    @Test func theWidgetTheDemoAndTheConsoleAreServed() async throws {
        try await withServer({ $0.demo = .on }) { server, client in
            let widget = try await client.get("/widget.js")
            #expect(widget.status == 200)
            #expect(widget.headers.first(name: "Content-Type")?.contains("javascript") == true)
            #expect(widget.text.contains("window.LiveChat"))
            #expect(try await client.get("/").text.contains("/demo.json"))
            #expect(try await client.get("/agent/").text.contains("console.js"))
            let bare = try await client.get("/agent")
            // The client may follow the redirect itself.
            let redirected = [301, 302, 303, 307, 308].contains(bare.status) && bare.headers.first(name: "Location")?.hasSuffix("/agent/") == true
            #expect(redirected || (bare.status == 200 && bare.text.contains("console.js")))
            // The demo business is created when `serve` boots; here the test creates it the same way.
            let demo = try await server.app.chat.team.ensureDemo()
            let reply = try await client.get("/demo.json")
            #expect(reply.data["business"] as? String == demo.business.uuidString.lowercased())
        }
    }

    @Test func theDemoEndpointIsOffWithTheDemo() async throws {
        try await withServer { _, client in
            let reply = try await client.get("/demo.json")
            #expect(reply.status == 404)
        }
    }

    @Test(.enabled(if: TestDatabase.isPostgres, "PostgreSQL only: the pool's statement timeout"))
    func thePoolsConnectionsCarryTheStatementTimeout() async throws {
        try await withServer({ $0.statementTimeoutMillis = 1500 }) { server, _ in
            let row = try await server.app.db.sql().raw("SHOW statement_timeout").first()
            #expect(try row?.decode(column: "statement_timeout", as: String.self) == "1500ms")
        }
    }

    @Test func theDemoIsOnlyOnWhileListeningOnLoopbackUnlessAskedFor() async throws {
        try await withDataFolder { config in
            let runs: [(host: String, demo: String?, answers: UInt)] = [
                ("0.0.0.0", nil, 404), ("127.0.0.1", nil, 200), ("0.0.0.0", "1", 200), ("0.0.0.0", nil, 404), ("127.0.0.1", "0", 404),
            ]
            for run in runs {
                let node = try await NodeProcess.start(config: config, hostname: run.host, environment: ["LIVECHAT_DEMO": run.demo])
                do {
                    let request = HTTPClientRequest(url: "http://127.0.0.1:\(node.port)/demo.json")
                    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                    #expect(response.status.code == run.answers, "listening on \(run.host), LIVECHAT_DEMO=\(run.demo ?? "unset")")
                } catch {
                    node.kill()
                    throw error
                }
                node.kill()
            }
        }
    }
}
