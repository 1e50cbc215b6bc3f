import ChatDomain
import Logging
import NIOCore
import NIOWebSocket
import Vapor

/// `WS /ws/agent/?cursor=N`: the business's live feed for its agents — `session_started`,
/// `session_ended`, `message`, `session_assigned`, `session_transferred`, `agent_presence` —
/// each with its `cursor`. A client that reconnects with the last cursor it saw is first sent
/// what it missed. The agent counts as online while a feed socket is open.
package struct AgentFeedController: RouteCollection {
    struct Established: Encodable {
        let type = "connection_established"
        let agent_id: String
        let business: String
        let cursor: Int
    }

    package init() {}

    package func boot(routes: any RoutesBuilder) throws {
        routes.get("ws", "agent", use: connect)
    }

    @Sendable
    func connect(req: Request) async throws -> Response {
        guard req.isWebSocketUpgrade else { throw SocketEndpointError.upgradeRequired }
        let credentials = req.socketCredentials
        let agent = await req.chat.sockets.admitFeedSocket(token: credentials.token)
        let cursor = req.queryValue("cursor").flatMap(Int.init).flatMap { $0 >= 0 ? $0 : nil }
        let realtime = req.realtime
        let logger = req.logger
        let address = req.clientAddress
        try realtime.checkSocketRoom(address: address, session: nil)
        return SocketUpgrader.response(subprotocol: credentials.offersBearer ? "Bearer" : nil) { channel in
            channel.eventLoop.submit {
                guard let (agent, business, claims) = agent else {
                    SocketUpgrader.refuse(channel, SocketRefusal(code: .unauthorized, preface: []), realtime: realtime)
                    return
                }
                guard realtime.holdSocket(channel, address: address, session: nil) else {
                    SocketUpgrader.refuse(channel, SocketRefusal(code: .policyViolation, preface: []), realtime: realtime)
                    return
                }
                let identity = Identity.agent(id: agent, business: business)
                let connection = SocketConnection(channel: channel, topic: .feed(business: business), identity: identity,
                                                 claims: claims, catchingUp: true, realtime: realtime)
                let work = SerialWork(counter: realtime.loops)
                realtime.feeds.add(connection)
                // A gap in the live cursors (another node's event not heard yet, or missed while the
                // bus was down) is read from the database, in turn with the socket's other work.
                connection.onGap { after in
                    work.submit {
                        do {
                            try await Self.replay(to: connection, business: business, after: after, chat: realtime.chat)
                        } catch {
                            logger.error("feed gap fill failed", metadata: ["error": "\(error)"])
                            connection.close(code: .unexpectedServerError)
                        }
                    }
                }
                work.submit {
                    await realtime.chat.presence.connected(agent: agent, business: business)
                    do {
                        try await Self.replay(to: connection, business: business, after: cursor, chat: realtime.chat) { latest in
                            connection.send(json: Established(agent_id: agent.lowercasedText, business: business.lowercasedText, cursor: latest))
                        }
                    } catch {
                        logger.error("feed catch-up failed", metadata: ["error": "\(error)"])
                        connection.close(code: .unexpectedServerError)
                    }
                }
                // Answered in turn, after `connection_established` and the replay.
                try SocketUpgrader.attach(connection, realtime: realtime, onText: { _ in
                    work.submit { connection.sendError("The agent feed is read-only: chat on /ws/visitor-chat/.") }
                }, onClosed: {
                    connection.onGap(nil)
                    work.submit {
                        realtime.feeds.remove(connection)
                        await realtime.chat.presence.disconnected(agent: agent)
                    }
                })
            }
        }
    }

    /// Reads the feed's current cursor (`announce` tells the client, at the start), sends the
    /// events after `after` (when given), then releases the events held meanwhile.
    private static func replay(to connection: SocketConnection, business: UUID, after: Int?, chat: Chat,
                               announce: (Int) -> Void = { _ in }) async throws {
        let replay = try await chat.sockets.feedReplay(of: business, after: after)
        announce(replay.latest)
        let allocator = connection.channel.allocator
        for event in replay.missed {
            connection.send(FeedFrame.encode(event.payload.utf8, cursor: event.cursor, allocator: allocator))
        }
        if replay.truncated {
            connection.sendError("Too many missed events: reload the inbox with GET /chat/sessions/.")
        }
        connection.finishCatchUp(lastSent: replay.latest, latest: replay.latest)
    }
}
