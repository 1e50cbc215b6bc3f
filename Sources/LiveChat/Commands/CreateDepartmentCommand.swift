import ChatDomain
import ChatRealtime
import Vapor

/// `livechat create-department --business ID --name NAME`
struct CreateDepartmentCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "business", help: "The business's id") var business: String?
        @Option(name: "name", help: "The department's name") var name: String?
        init() {}
    }

    var help: String { "Creates a department of a business and prints its id." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let raw = signature.business, let business = UUID(text: raw) else { throw ConfigError("--business must be a business id") }
        guard let name = signature.name, !name.isEmpty else { throw ConfigError("--name is required") }
        let department = try await context.application.chat.team.createDepartment(business: business, name: name)
        context.console.output("department \(department.id.lowercasedText)")
    }
}
