import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Vapor
@testable import ChatDomain
@testable import LiveChat

/// A real server on a random port, on a temporary data folder deleted afterwards.
struct TestServer: Sendable {
    static let secret = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"

    let app: Application
    let port: Int
    let config: AppConfig
    /// The server's services (`serve`'s group, without signals), running until `stop`.
    let group: ServiceGroup
    let running: Task<Void, any Error>

    var base: String { "http://127.0.0.1:\(port)" }
    var tokens: any TokenService { app.chat.access.tokens }

    /// The per-address rates and socket caps are off (every test client is 127.0.0.1, and suites
    /// run side by side); the tests of the limits set them.
    static func config(directory: URL) -> AppConfig {
        var config = AppConfig(jwtSecret: secret, dataDirectory: directory, bcryptCost: 4)
        config.limits = .unlimited
        return config
    }

    static func start(_ config: AppConfig) async throws -> TestServer {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        do {
            try await configure(app, config: config)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = 0
        let services = app.serverServices
        let group = services.group(logger: app.logger, signals: [])
        let running = Task { try await group.run() }
        do {
            let port = try await services.http.listening()
            return TestServer(app: app, port: port, config: config, group: group, running: running)
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await running.value
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// Stops like `serve` does at SIGTERM: the group's graceful shutdown (the sockets drain, then
    /// the services stop in reverse order), then the application.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        // Bounded: a service that never stops fails the test that stopped it, naming it, instead
        // of holding the whole run up.
        let outcome = NIOLockedValueBox<Result<Void, any Error>?>(nil)
        let running = self.running
        await awaitFinish(of: Task { let result = await running.result; outcome.withLockedValue { $0 = result } }, atMost: .seconds(90))
        guard let stopped = outcome.withLockedValue({ $0 }) else {
            throw TestFailure("the server's services did not stop within 90 s of the graceful shutdown")
        }
        try stopped.get()
        try await app.asyncShutdown()
    }
}

/// A test config on a data folder of its own, removed afterwards, and on PostgreSQL runs a
/// database of its own, dropped afterwards; for tests that start several servers on the same data.
func withDataFolder(_ body: (AppConfig) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("livechat-test-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    var config = TestServer.config(directory: directory)
    let database = try await TestDatabase.create()
    config.databaseURL = database?.url
    do {
        try await body(config)
    } catch {
        if let database { try? await TestDatabase.drop(database) }
        throw error
    }
    if let database { try await TestDatabase.drop(database) }
}

func withServer(
    _ adjust: @Sendable (inout AppConfig) -> Void = { _ in },
    _ body: @Sendable (TestServer, TestClient) async throws -> Void
) async throws {
    try await withDataFolder { folder in
        var config = folder
        adjust(&config)
        let server = try await TestServer.start(config)
        do {
            try await body(server, TestClient(server: server))
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
