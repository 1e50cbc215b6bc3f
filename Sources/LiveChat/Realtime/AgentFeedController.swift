import Fluent
import NIOCore
import NIOWebSocket
import Vapor

/// `WS /ws/agent/?cursor=N`: the business's live feed for its agents — `session_started`,
/// `session_ended`, `message`, `session_assigned`, `session_transferred`, `agent_presence` —
/// each with its `cursor`. A client that reconnects with the last cursor it saw is first sent
/// what it missed. The agent counts as online while a feed socket is open.
struct AgentFeedController: RouteCollection {
    static let maxReplay = 5000

    struct Established: Encodable {
        let type = "connection_established"
        let agent_id: String
        let business: String
        let cursor: Int
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("ws", "agent", use: connect)
    }

    @Sendable
    func connect(req: Request) async throws -> Response {
        guard req.isWebSocketUpgrade else {
            throw ChatError(.upgradeRequired, "This endpoint only speaks WebSocket.")
        }
        let credentials = req.socketCredentials
        let identity = await agentIdentity(req, token: credentials.token)
        let cursor = req.query[String.self, at: "cursor"].flatMap(Int.init).flatMap { $0 >= 0 ? $0 : nil }
        let services = req.chat
        let db = req.db
        let logger = req.logger
        return SocketUpgrader.response(subprotocol: credentials.offersBearer ? "Bearer" : nil) { channel in
            channel.eventLoop.submit {
                guard let identity, case .agent(let agent, let business) = identity else {
                    SocketUpgrader.refuse(channel, code: .unauthorized, preface: [], services: services)
                    return
                }
                let connection = SocketConnection(channel: channel, topic: .feed(business: business), identity: identity, catchingUp: true)
                let work = SerialWork(counter: services.loops)
                services.feeds.add(connection)
                work.submit {
                    await services.presence.connected(agent: agent, business: business)
                    do {
                        try await Self.start(connection, agent: agent, business: business, after: cursor, db: db)
                    } catch {
                        logger.error("feed catch-up failed", metadata: ["error": "\(error)"])
                        connection.close(code: .unexpectedServerError)
                    }
                }
                // Answered in turn, after `connection_established` and the replay.
                try SocketUpgrader.attach(connection, services: services, onText: { _ in
                    work.submit { connection.sendError("The agent feed is read-only: chat on /ws/visitor-chat/.") }
                }, onClosed: {
                    work.submit {
                        services.feeds.remove(connection)
                        await services.presence.disconnected(agent: agent)
                    }
                })
            }
        }
    }

    /// The caller when its token is an agent's, else nil (the socket is then refused with 4003).
    private func agentIdentity(_ req: Request, token: String?) async -> Identity? {
        guard let token, let identity = try? await req.authenticator.identity(for: token), case .agent = identity else { return nil }
        return identity
    }

    /// Announces the connection with the feed's current cursor, sends the events after `after`
    /// (when given), then releases the events held meanwhile.
    private static func start(_ connection: SocketConnection, agent: UUID, business: UUID, after: Int?, db: any Database) async throws {
        let latest = try await FeedEvent.query(on: db).filter(\.$businessID == business).max(\.$id) ?? 0
        connection.send(json: Established(agent_id: agent.lowercasedText, business: business.lowercasedText, cursor: latest))
        let lastSent = latest
        if let after, after < latest {
            let missed = try await FeedEvent.query(on: db)
                .filter(\.$businessID == business)
                .filter(\.$id > after)
                .filter(\.$id <= latest)
                .sort(\.$id)
                .limit(maxReplay)
                .all()
            for event in missed {
                guard let cursor = event.id else { continue }
                connection.send(FeedDraft.frame(payload: Data(event.payload.utf8), cursor: cursor))
            }
            if missed.count == maxReplay {
                connection.send(json: ServerFrame.error("Too many missed events: reload the inbox with GET /chat/sessions/."))
            }
        }
        connection.finishCatchUp(lastSent: lastSent)
    }
}
