import Fluent
import Vapor

/// The demo business, department and agent created on first start, so a newcomer has a chat to try.
struct DemoSeed: Sendable {
    static let businessName = "Demo Shop"
    static let agentEmail = "agent@demo.livechat"
    static let agentPassword = "demo-password"

    let business: UUID
    let department: UUID
    let agent: UUID

    static func ensure(_ app: Application) async throws -> DemoSeed {
        let db = app.db
        let directory = Directory(db: db)
        let business: Business
        if let found = try await Business.query(on: db).filter(\.$name == businessName).first() {
            business = found
        } else {
            business = try await directory.createBusiness(name: businessName, allowedOrigins: [], allowUnverifiedCustomerIDs: false)
        }
        let businessID = try business.requireID()
        let department: Department
        if let found = try await Department.query(on: db).filter(\.$businessID == businessID).first() {
            department = found
        } else {
            department = try await directory.createDepartment(business: businessID, name: "Support")
        }
        let agent: Agent
        if let existing = try await Agent.query(on: db).filter(\.$email == agentEmail).first() {
            agent = existing
        } else {
            let hash = try Bcrypt.hash(agentPassword, cost: app.chat.config.bcryptCost)
            agent = try await directory.createAgent(business: businessID, email: agentEmail, passwordHash: hash, name: "Demo Agent")
        }
        return DemoSeed(business: businessID, department: try department.requireID(), agent: try agent.requireID())
    }
}

/// When `serve` starts: creates the demo (once) and logs its ids, credentials and ready-made tokens.
struct DemoBanner: LifecycleHandler {
    func didBootAsync(_ application: Application) async throws {
        let arguments = CommandLine.arguments.dropFirst()
        guard arguments.isEmpty || arguments.first == "serve" || arguments.first?.hasPrefix("-") == true else { return }
        let demo = try await DemoSeed.ensure(application)
        let tokens = application.chat.tokens
        let day: TimeInterval = 86_400
        let agentToken = try await tokens.mint(role: .agent, subject: demo.agent, business: demo.business, lifetime: 30 * day)
        let adminToken = try await tokens.mint(role: .admin, subject: UUID(), business: nil, lifetime: day)
        let base = application.chat.config.publicURL ?? Self.servedAddress(application)
        application.logger.notice("""

            livechat is ready at \(base)/
              demo business   \(demo.business.lowercasedText)
              demo department \(demo.department.lowercasedText)
              demo agent      \(demo.agent.lowercasedText)  (\(DemoSeed.agentEmail) / \(DemoSeed.agentPassword))
              agent token     \(agentToken)  (30 days)
              admin token     \(adminToken)  (24 hours)
              data folder     \(application.chat.config.dataDirectory.path)
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
