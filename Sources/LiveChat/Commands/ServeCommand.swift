import ServiceLifecycle
import Vapor

/// `livechat serve [--hostname H] [--port P] [--bind H:P]` (the default command): runs the
/// server's services (`ServerServices`) until SIGTERM or SIGINT, then stops them gracefully.
struct ServeCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "hostname", short: "H", help: "Set the hostname the server will run on.") var hostname: String?
        @Option(name: "port", short: "p", help: "Set the port the server will run on.") var port: Int?
        @Option(name: "bind", short: "b", help: "Convenience for setting hostname and port together.") var bind: String?
        init() {}
    }

    let config: AppConfig

    var help: String { "Runs the server." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        if let bind = signature.bind {
            guard let colon = bind.lastIndex(of: ":"), let port = Int(bind[bind.index(after: colon)...]) else {
                throw ConfigError("--bind must be host:port")
            }
            app.http.server.configuration.hostname = String(bind[..<colon])
            app.http.server.configuration.port = port
        }
        if let hostname = signature.hostname { app.http.server.configuration.hostname = hostname }
        if let port = signature.port { app.http.server.configuration.port = port }
        try await DemoBanner.show(app, config: config, host: app.http.server.configuration.hostname, port: app.http.server.configuration.port)
        try await app.serverServices.group(logger: app.logger, signals: [.sigterm, .sigint]).run()
    }
}
