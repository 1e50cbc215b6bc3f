import ChatDomain
import ChatRealtime
import Foundation
import Vapor

/// When `serve` starts: creates the demo (once) and logs its ids, credentials and ready-made tokens.
struct DemoBanner: LifecycleHandler {
    let config: AppConfig

    func didBootAsync(_ application: Application) async throws {
        let arguments = CommandLine.arguments.dropFirst()
        guard arguments.isEmpty || arguments.first == "serve" || arguments.first?.hasPrefix("-") == true else { return }
        let chat = application.chat
        let demo = try await chat.ensureDemo()
        let day: TimeInterval = 86_400
        let agentToken = try await chat.tokens.mint(role: .agent, subject: demo.agent, business: demo.business, lifetime: 30 * day)
        let adminToken = try await chat.tokens.mint(role: .admin, subject: UUID(), business: nil, lifetime: day)
        let base = config.publicURL ?? Self.servedAddress(application)
        application.logger.notice("""

            livechat is ready at \(base)/
              demo business   \(demo.business.lowercasedText)
              demo department \(demo.department?.lowercasedText ?? "-")
              demo agent      \(demo.agent.lowercasedText)  (\(Demo.agentEmail) / \(Demo.agentPassword))
              agent token     \(agentToken)  (30 days)
              admin token     \(adminToken)  (24 hours)
              data folder     \(config.dataDirectory.path)
            """)
    }

    /// Where `serve` will listen: its `--hostname`/`--port` flags are parsed after boot, so read them here.
    private static func servedAddress(_ application: Application) -> String {
        let configuration = application.http.server.configuration
        var hostname = configuration.hostname
        var port = configuration.port
        let arguments = Array(CommandLine.arguments)
        for (index, argument) in arguments.enumerated() where index + 1 < arguments.count {
            switch argument {
            case "--hostname", "-H": hostname = arguments[index + 1]
            case "--port", "-p": port = Int(arguments[index + 1]) ?? port
            default: break
            }
        }
        return "http://\(hostname):\(port)"
    }
}
