import ChatDomain
import ChatRealtime
import Vapor

/// `livechat create-agent --business ID --email E --password P --name N [--admin]`
struct CreateAgentCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "business", help: "The business's id") var business: String?
        @Option(name: "email", help: "Login email") var email: String?
        @Option(name: "password", help: "Login password (at least 8 characters)") var password: String?
        @Option(name: "name", help: "Display name") var name: String?
        @Flag(name: "admin", help: "Make the agent a business admin (settings, agents, canned responses, webhooks)") var admin: Bool
        init() {}
    }

    var help: String { "Creates an agent (password hashed with Bcrypt) and prints its id." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let raw = signature.business, let business = UUID(text: raw) else { throw ConfigError("--business must be a business id") }
        guard let email = signature.email else { throw ConfigError("--email is required") }
        // The admin API's rules (`TeamService.createAgent`: an email address, 8 to 72 characters of password).
        let password = (signature.password ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let agent = try await context.application.chat.team
            .createAgent(business: business, email: email, password: password, name: signature.name ?? email, isAdmin: signature.admin)
        context.console.output("agent \(agent.id.lowercasedText)")
    }
}
