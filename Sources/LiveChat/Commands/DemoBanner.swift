import ChatDomain
import ChatRealtime
import Foundation
import Vapor

/// When `serve` starts: creates the demo (once) and logs its ids, credentials and ready-made
/// tokens. By default only while the server listens on loopback: elsewhere the demo's known
/// password and the tokens in the log would open it to anyone who can reach the server.
enum DemoBanner {
    /// `host` and `port`: where `serve` listens.
    static func show(_ application: Application, config: AppConfig, host: String, port: Int) async throws {
        guard config.demo != .off else { return }
        if !Self.isLoopback(host) {
            guard config.demo == .on else {
                application.webSettings.demo = false
                application.logger.notice("demo off: the server listens on \(host), not only on this machine (LIVECHAT_DEMO=1 turns it on)")
                return
            }
            application.logger.warning("""
                demo on while listening on \(host) (LIVECHAT_DEMO=1): anyone who can reach the server can sign in as \
                \(Demo.agentEmail) with the demo password, and the tokens below open the demo business and the admin API
                """)
        }
        let chat = application.chat
        let demo = try await chat.team.ensureDemo()
        let day: TimeInterval = 86_400
        let agentToken = try await chat.access.mint(role: .agent, subject: demo.agent, business: demo.business, lifetime: 30 * day)
        let adminToken = try await chat.access.mint(role: .admin, subject: UUID(), business: nil, lifetime: day)
        let base = config.publicURL ?? "http://\(host):\(port)"
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

    /// `localhost`, `::1` and 127.0.0.0/8.
    static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" || bare == "::1" { return true }
        let parts = bare.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.first == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
