import ChatDomain
import ChatRealtime
import Foundation
import Vapor

/// `livechat seed --messages N --sessions S [--long L] [--json FILE]`: fills the database with a
/// business holding a year of chats, through the store (not the API), for the benchmark's
/// full-database figures (docs/BENCHMARKS.md). Sessions and visitors go in through the store's
/// inserts, started over the last 365 days, spread over two departments and four agents (a fifth
/// of them unassigned); messages go through the message writer, as a socket's would (numbered,
/// with their feed events), alternating visitor and agent; then all but one in a hundred end.
/// One session (`long_session`) gets L messages and stays open.
struct SeedCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "messages", help: "Messages in all (default 1000000)") var messages: Int?
        @Option(name: "sessions", help: "Sessions (default: messages / 10)") var sessions: Int?
        @Option(name: "long", help: "Messages of the one long session (default 10000, at most --messages)") var long: Int?
        @Option(name: "json", help: "Also write the ids (business, agents, departments, long session) to this file") var json: String?
        init() {}
    }

    var help: String { "Seeds a benchmark business with a year of chats (many rows: not for a production database)." }

    /// What was seeded, as the benchmark reads it (`LiveChatBench --seeded FILE`).
    struct Seeded: Codable {
        var business: UUID
        var agents: [UUID]
        var departments: [UUID]
        var longSession: UUID
        var sessions: Int
        var messages: Int
        var seconds: Double

        enum CodingKeys: String, CodingKey {
            case business, agents, departments, sessions, messages, seconds
            case longSession = "long_session"
        }
    }

    /// Sessions whose messages are queued before the writer is waited for (bounds the memory).
    private static let chunk = 1000

    func run(using context: CommandContext, signature: Signature) async throws {
        let messages = signature.messages ?? 1_000_000
        let sessions = signature.sessions ?? max(1, messages / 10)
        let long = min(signature.long ?? 10_000, messages)
        guard messages >= 0, sessions >= 1, long >= 0 else {
            throw ConfigError("--messages and --long must not be negative, and --sessions must be at least 1")
        }
        guard sessions > 1 || long == messages else { throw ConfigError("one session holds only the long session's messages: set --long to --messages") }
        let chat = context.application.chat
        let started = ContinuousClock.now

        let business = try await chat.team.createBusiness(name: "seed-\(UUID().uuidString.prefix(8).lowercased())", allowedOrigins: [],
                                                     allowUnverifiedCustomerIDs: false)
        let departments = [try await chat.team.createDepartment(business: business.id, name: "Sales"),
                           try await chat.team.createDepartment(business: business.id, name: "Support")]
        var agents: [Agent] = []
        for index in 1...4 {
            agents.append(try await chat.team.createAgent(business: business.id, email: "agent\(index)@\(business.id.lowercasedText).seed.invalid",
                                                     password: "seed-password-\(index)", name: "Seed agent \(index)"))
        }

        // Session 0 is the long one; the others share the rest of the messages evenly.
        let now = Date()
        let year = 365.0 * 86_400
        let plan = (0..<sessions).map { index -> SeededSession in
            let seconds = now.timeIntervalSince1970 - year * Double(sessions - index) / Double(sessions)
            let startedAt = Date(timeIntervalSince1970: (seconds * 1000).rounded() / 1000)  // milliseconds, as stored
            let visitor = Visitor(businessID: business.id, externalCustomerID: index % 3 == 0 ? "customer-\(index)" : nil, createdAt: startedAt)
            let department: UUID? = index % 3 == 2 ? nil : departments[index % 3].id
            let agent: UUID? = index % 5 == 4 ? nil : agents[index % 4].id
            let session = ChatSession(businessID: business.id, departmentID: department, visitorID: visitor.id, startedAt: startedAt,
                                      assignedAgentID: agent)
            let share = index == 0 ? long : Self.share(of: messages - long, among: sessions - 1, at: index - 1)
            return SeededSession(visitor: visitor, session: session, messages: share, ends: index != 0 && index % 100 != 0)
        }
        try await context.application.serverServices.withWriter(logger: context.application.logger) {
            // Sessions of the past year, as they were (no start rule would date them back), through the writer.
            try await Self.inParallel(plan, width: 64) { seeded in
                let department = departments.first { $0.id == seeded.session.departmentID }
                _ = try await chat.log.open(SessionService.opening(seeded.session, visitor: seeded.visitor, isStored: false, department: department))
            }
            context.console.output(.init(stringLiteral: "\(sessions) sessions stored; writing \(messages) messages"))
            var text = SeedText()
            for start in stride(from: 0, to: plan.count, by: Self.chunk) {
                let part = plan[start..<min(start + Self.chunk, plan.count)]
                for seeded in part {
                    for n in 0..<seeded.messages {
                        let byAgent = n % 2 == 1 && seeded.session.assignedAgentID != nil
                        chat.log.append(PendingMessage(
                            sessionID: seeded.session.id, businessID: business.id, body: .text(text.next()),
                            senderID: byAgent ? seeded.session.assignedAgentID! : seeded.visitor.id, senderType: byAgent ? "agent" : "visitor",
                            clientID: byAgent ? nil : "seed-\(n)", origin: nil))
                    }
                }
                // Ending a session waits for every message queued before it: the writer has stored this chunk.
                try await Self.inParallel(part.filter(\.ends), width: 256) { seeded in _ = try await chat.log.end(session: seeded.session.id) }
                await chat.log.flush()
            }
        }
        if chat.log.isFailing { throw ConfigError("the message writer failed: see the log") }

        let seeded = Seeded(business: business.id, agents: agents.map(\.id), departments: departments.map(\.id), longSession: plan[0].session.id,
                            sessions: sessions, messages: messages, seconds: (ContinuousClock.now - started) / .seconds(1))
        if let path = signature.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(seeded).write(to: URL(fileURLWithPath: path))
        }
        context.console.output(.init(stringLiteral: "business \(business.id.lowercasedText)"))
        context.console.output(.init(stringLiteral: "long_session \(seeded.longSession.lowercasedText)"))
        context.console.output(.init(stringLiteral: "\(messages) messages in \(sessions) sessions, \(String(format: "%.1f", seeded.seconds)) s"))
    }

    private struct SeededSession: Sendable {
        let visitor: Visitor
        let session: ChatSession
        let messages: Int
        let ends: Bool
    }

    /// Session `index`'s part of `total` messages shared evenly among `count` sessions.
    private static func share(of total: Int, among count: Int, at index: Int) -> Int {
        total / count + (index < total % count ? 1 : 0)
    }

    private static func inParallel<T: Sendable>(_ items: [T], width: Int, _ job: @escaping @Sendable (T) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var iterator = items.makeIterator()
            for _ in 0..<width {
                guard let item = iterator.next() else { break }
                group.addTask { try await job(item) }
            }
            while try await group.next() != nil {
                if let item = iterator.next() { group.addTask { try await job(item) } }
            }
        }
    }
}

/// Chat-like lines of 3 to 24 words, the same on every run (a fixed linear congruential generator).
private struct SeedText {
    private static let words = """
        hello hi thanks order delivery parcel refund size colour invoice account password login address \
        shipping tracking number today tomorrow week please could you help me with my the a an is was not \
        yes no sure great price discount code basket checkout payment card email phone return exchange
        """.split(separator: " ").map(String.init)
    private var state: UInt64 = 0x2545_F491_4F6C_DD1D

    mutating func next() -> String {
        let count = 3 + Int(step() % 22)
        return (0..<count).map { _ in Self.words[Int(step() % UInt64(Self.words.count))] }.joined(separator: " ")
    }

    private mutating func step() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 33
    }
}
