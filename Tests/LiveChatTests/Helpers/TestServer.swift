import Foundation
import NIOCore
import NIOHTTP1
import Vapor
@testable import LiveChat

/// A real server on a random port, on a temporary data folder deleted afterwards.
struct TestServer: Sendable {
    static let secret = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"

    let app: Application
    let port: Int
    let config: AppConfig

    var base: String { "http://127.0.0.1:\(port)" }
    var tokens: TokenService { app.chat.tokens }
}

func withServer(
    _ adjust: @Sendable (inout AppConfig) -> Void = { _ in },
    _ body: @Sendable (TestServer, TestClient) async throws -> Void
) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("livechat-test-\(UUID().uuidString)")
    var config = AppConfig(jwtSecret: TestServer.secret, dataDirectory: directory, bcryptCost: 4)
    adjust(&config)
    let app = try await Application.make(.testing)
    app.logger.logLevel = .warning
    app.http.server.configuration.hostname = "127.0.0.1"
    app.http.server.configuration.port = 0
    do {
        try await configure(app, config: config)
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        guard let port = app.http.server.shared.localAddress?.port else { throw TestFailure("server has no port") }
        let server = TestServer(app: app, port: port, config: config)
        let client = TestClient(server: server)
        try await body(server, client)
    } catch {
        await app.server.shutdown()
        try? await app.asyncShutdown()
        try? FileManager.default.removeItem(at: directory)
        throw error
    }
    await app.server.shutdown()
    try await app.asyncShutdown()
    try? FileManager.default.removeItem(at: directory)
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
