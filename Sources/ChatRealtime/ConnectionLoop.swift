import ChatDomain
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The life of one accepted chat socket after `connection_established`: catch-up, then every
/// client frame in arrival order — read, then given to the chat's rules (`MessageFlow`: checked,
/// handed to the writer, stored, then broadcast) or relayed (typing, read receipts) — and the
/// participant's comings and goings. Text messages are taken on the event loop; everything that
/// has to wait for something (catch-up, files, receipts, the goodbye) runs as `SerialWork`, in
/// order, with no task while idle.
struct ConnectionLoop: Sendable {
    let connection: SocketConnection
    let author: MessageFlow.Author
    let realtime: Realtime
    let logger: Logger
    /// Read once: the direct path from the event loop uses them for every message.
    private let log: any EventLog
    private let maxText: Int
    private let work: SerialWork
    /// Frames handed to the serial work and not yet handled.
    private let waiting = NIOLockedValueBox(0)
    private let typing = NIOLockedValueBox(SessionSignal.TypingGate())

    init(connection: SocketConnection, session: ChatSession, realtime: Realtime, logger: Logger) {
        self.connection = connection
        self.author = MessageFlow.Author(session: session.id, business: session.businessID, identity: connection.identity,
                                         origin: connection)
        self.realtime = realtime
        self.logger = logger
        log = realtime.chat.log
        maxText = realtime.chat.settings.maxTextLength
        work = SerialWork(counter: realtime.loops)
    }

    private var chat: Chat { realtime.chat }
    private var session: UUID { author.session }

    /// Called on the event loop for every text frame: a valid text message goes straight to the
    /// writer when no earlier frame of this socket is still waiting (so their order holds);
    /// anything else (files, receipts, refusals, or a frame behind others) waits its turn.
    /// A typing frame the gate holds back (the same state again within a second) is dropped here.
    @Sendable
    func receive(_ text: String) {
        let frame = InboundFrame.parse(text.utf8)
        if waiting.withLockedValue({ $0 }) == 0, case .success(.text(let content, let clientID)) = frame,
           case .success(let message) = MessageFlow.text(content, clientID: clientID, by: author, limit: maxText) {
            log.append(message)
            return
        }
        if case .success(.typing(let isTyping)) = frame, !typing.withLockedValue({ $0.admit(isTyping, at: .now) }) { return }
        waiting.withLockedValue { $0 += 1 }
        work.submit { [self] in
            await handle(frame)
            waiting.withLockedValue { $0 -= 1 }
        }
    }

    /// Catch-up, then the participant's arrival (when it is their first socket in the session).
    /// Later gaps in the live messages (events from other nodes can overtake this node's own) are
    /// filled the same way, in turn with the socket's other work.
    func start(lastSeq: Int?, firstOfParticipant: Bool) {
        connection.onGap { [self] after in
            work.submit { [self] in
                do {
                    try await catchUp(lastSeq: after)
                } catch {
                    logger.error("gap fill failed", metadata: ["session": "\(session)", "error": "\(error)"])
                    connection.close(code: .unexpectedServerError)
                }
            }
        }
        work.submit { [self] in
            do {
                try await catchUp(lastSeq: lastSeq)
            } catch {
                logger.error("catch-up failed", metadata: ["session": "\(session)", "error": "\(error)"])
                connection.close(code: .unexpectedServerError)
            }
            if firstOfParticipant { relay(SessionSignal.Participant(joined: true, session: session, identity: connection.identity)) }
        }
    }

    /// The channel closed: after every frame received before (nothing accepted is dropped), the
    /// socket leaves its session, and the participant too when it was their last socket.
    @Sendable
    func closed() {
        connection.onGap(nil)
        work.submit { [self] in
            if realtime.sessions.remove(connection) {
                relay(SessionSignal.Participant(joined: false, session: session, identity: connection.identity))
            }
        }
    }

    /// Sends what a reconnecting client missed, then releases the events held meanwhile. Also
    /// covers a session that ended between the handshake and the registration with the hub.
    private func catchUp(lastSeq: Int?) async throws {
        // Several nodes: the socket must know its session's last number from the start to tell a gap.
        let (missed, endedAt, latest) = try await chat.sockets.catchUp(of: session, after: lastSeq, latest: realtime.fanout.nodeBus != nil)
        // A visitor never gets a private note; it still counts as sent (its number is not a gap).
        let visitor = connection.identity.isVisitor
        for message in missed where !(visitor && message.isPrivate) {
            connection.send(connection.channel.allocator.buffer(string: message.json))
        }
        // A client's own last_seq counts as sent when the session really has it (several nodes:
        // its late copies are then dropped); a last_seq past the session's end counts for nothing
        // (not as `latest`: a message stored during this catch-up is in `latest` and held, and
        // was never sent to this client).
        var sent = 0
        if let last = missed.last?.seq {
            sent = last
        } else if let lastSeq, let latest, lastSeq <= latest {
            sent = lastSeq
        }
        connection.finishCatchUp(lastSent: sent, latest: latest)
        if let endedAt {
            connection.send(json: ServerFrame.sessionEnded(session, at: endedAt))
            connection.close(code: .sessionEnded)
        }
    }

    private func handle(_ frame: Result<InboundFrame, InboundFrame.Refusal>) async {
        switch frame {
        case .failure(let refusal):
            connection.sendError(refusal.message)
        case .success(.text(let content, let clientID)):
            switch MessageFlow.text(content, clientID: clientID, by: author, limit: maxText) {
            case .success(let message): log.append(message)
            case .failure(let refusal): connection.refused(refusal)
            }
        case .success(.note(let content, let clientID)):
            switch MessageFlow.note(content, clientID: clientID, by: author, limit: maxText) {
            case .success(let message): log.append(message)
            case .failure(let refusal): connection.refused(refusal)
            }
        case .success(.file(let url, let isAudio, let clientID)):
            await answering("file message lookup failed", tell: "The file could not be checked. Please send it again.") {
                log.append(try await chat.sockets.fileMessage(url: url, isAudio: isAudio, clientID: clientID, by: author))
            }
        case .success(.endSession):
            await answering("end_session failed", tell: "The session could not be ended. Please try again.") {
                _ = try await log.end(session: session)
            }
        case .success(.typing(let isTyping)):
            relay(SessionSignal.Typing(session: session, sender: connection.identity, isTyping: isTyping))
        case .success(.read(let messageID)):
            await answering("read marker failed", tell: "The read receipt could not be stored. Please send it again.") {
                if let receipt = try await chat.sockets.markRead(messageID, in: session, by: connection.identity) { relay(receipt) }
            }
        }
    }

    /// Runs `body`; a refusal of the rules is answered with its sentence, any other failure is
    /// logged and answered with `message`.
    private func answering(_ what: String, tell message: String, _ body: () async throws -> Void) async {
        do {
            try await body()
        } catch let refusal as ChatError {
            connection.refused(refusal)
        } catch {
            logger.error("\(what)", metadata: ["session": "\(session)", "error": "\(error)"])
            connection.sendError(message)
        }
    }

    /// Sends a signal to the session's other sockets, on every node.
    private func relay<Signal: Encodable>(_ signal: Signal) {
        realtime.fanout.relay(session: session, payload: JSONFrame.encode(signal, allocator: connection.channel.allocator),
                              excluding: connection.id)
    }
}
