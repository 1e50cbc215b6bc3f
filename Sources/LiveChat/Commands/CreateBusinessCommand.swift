import ChatDomain
import ChatRealtime
import Vapor

/// `livechat create-business --name NAME [--allowed-origins a,b] [--allow-unverified-customer-ids]`
struct CreateBusinessCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "name", help: "The business's name") var name: String?
        @Option(name: "allowed-origins", help: "Comma-separated page origins allowed to embed the chat") var origins: String?
        @Flag(name: "allow-unverified-customer-ids", help: "Trust a bare external_customer_id") var allowUnverified: Bool
        init() {}
    }

    var help: String { "Creates a business and prints its id and identity secret." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let name = signature.name, !name.isEmpty else { throw ConfigError("--name is required") }
        let origins = (signature.origins ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let business = try await context.application.chat.team.createBusiness(
            name: name, allowedOrigins: origins, allowUnverifiedCustomerIDs: signature.allowUnverified)
        context.console.output("business \(business.id.lowercasedText)")
        context.console.output("identity_secret \(business.identitySecret)")
    }
}
