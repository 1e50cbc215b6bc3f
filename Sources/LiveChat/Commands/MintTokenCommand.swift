import ChatDomain
import ChatRealtime
import Vapor

/// `livechat mint-token --role admin|agent|visitor [--subject UUID] [--business ID] [--ttl SECONDS]`
struct MintTokenCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "role", help: "admin, agent or visitor") var role: String?
        @Option(name: "subject", help: "The agent's or visitor's id (new random id when omitted)") var subject: String?
        @Option(name: "business", help: "The business (required for agent and visitor)") var business: String?
        @Option(name: "ttl", help: "Lifetime in seconds (default 86400)") var ttl: Int?
        init() {}
    }

    var help: String { "Prints a token signed with the server's secret." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let raw = signature.role, let role = Role(rawValue: raw) else { throw ConfigError("--role must be admin, agent or visitor") }
        let business = try signature.business.map {
            guard let id = UUID(text: $0) else { throw ConfigError("--business must be a business id") }
            return id
        }
        if role != .admin, business == nil { throw ConfigError("--business is required for \(role.rawValue) tokens") }
        let subject = try signature.subject.map {
            guard let id = UUID(text: $0) else { throw ConfigError("--subject must be a UUID") }
            return id
        } ?? UUID()
        let ttl = signature.ttl ?? 86_400
        guard ttl > 0 else { throw ConfigError("--ttl must be positive") }
        let token = try await context.application.chat.access.mint(
            role: role, subject: subject, business: role == .admin ? nil : business, lifetime: TimeInterval(ttl))
        context.console.output(.init(stringLiteral: token))
    }
}
