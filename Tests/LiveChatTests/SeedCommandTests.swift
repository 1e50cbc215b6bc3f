import Foundation
import Testing
import Vapor
@testable import LiveChat

/// `livechat seed`: what it stores is what an agent of the seeded business reads over HTTP, and
/// bad numbers are refused with a sentence before anything is stored.
@Suite("livechat seed", .timeLimit(.minutes(3)))
struct SeedCommandTests {
    private func seed(_ arguments: [String], on app: Application) async throws {
        var context = CommandContext(console: Terminal(), input: CommandInput(arguments: ["livechat"] + arguments))
        context.application = app
        try await SeedCommand().run(using: &context)
    }

    /// As an operator runs it: on the data folder, with no server running (the command runs the
    /// writer itself), then a server on the same folder.
    @Test func theSeededBusinessIsWhatItsAgentReads() async throws {
        try await withDataFolder { config in
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("seed-\(UUID().uuidString).json")
            defer { try? FileManager.default.removeItem(at: file) }
            let app = try await Application.make(.testing)
            app.logger.logLevel = .warning
            do {
                try await configure(app, config: config)
                try await seed(["--messages", "40", "--sessions", "4", "--long", "25", "--json", file.path], on: app)
            } catch {
                try? await app.asyncShutdown()
                throw error
            }
            try await app.asyncShutdown()
            let seeded = try JSONDecoder().decode(SeedCommand.Seeded.self, from: Data(contentsOf: file))
            #expect(seeded.sessions == 4 && seeded.messages == 40 && seeded.agents.count == 4)

            let server = try await TestServer.start(config)
            let client = TestClient(server: server)
            let token = try await client.agentToken(seeded.business.uuidString.lowercased(), agent: seeded.agents[0])
            let inbox = try await client.get("/chat/sessions/", token: token).json["data"] as? [[String: Any]] ?? []
            #expect(inbox.count == 4)
            let history = try await client.get("/chat/history/\(seeded.longSession.uuidString.lowercased())/?limit=500", token: token)
            let items = history.json["data"] as? [[String: Any]] ?? []
            #expect(items.filter { $0["type"] as? String == "message" }.count == 25)
            try await server.stop()
        }
    }

    @Test(arguments: [(["--messages", "-5"], "--messages"), (["--messages", "abc"], "messages"),
                      (["--messages", "10", "--sessions", "0"], "--sessions"), (["--messages", "10", "--long", "-1"], "--long")])
    func badNumbersAreRefused(_ arguments: [String], naming option: String) async throws {
        try await withServer { server, _ in
            let error = await #expect(throws: (any Error).self) { try await seed(arguments, on: server.app) }
            #expect(error.map { "\($0)" }?.contains(option) == true)
        }
    }
}
