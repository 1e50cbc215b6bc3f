import Fluent
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The life of one accepted chat socket after `connection_established`: catch-up, then every
/// client message in arrival order — validated, then handed to the writer (stored, then
/// broadcast) or relayed (typing, read receipts) — and the participant's comings and goings.
/// Text messages are taken on the event loop; everything that has to wait for something (catch-up,
/// files, receipts, the goodbye) runs as `SerialWork`, in order, with no task while idle.
struct ConnectionLoop: Sendable {
    let connection: SocketConnection
    let session: UUID
    let business: UUID
    let services: ChatServices
    let db: any Database
    let logger: Logger
    private let work: SerialWork
    /// Frames handed to the serial work and not yet handled.
    private let waiting = NIOLockedValueBox(0)

    init(connection: SocketConnection, session: UUID, business: UUID, services: ChatServices, db: any Database, logger: Logger) {
        self.connection = connection
        self.session = session
        self.business = business
        self.services = services
        self.db = db
        self.logger = logger
        work = SerialWork(counter: services.loops)
    }

    /// Called on the event loop for every text frame: a valid text message goes straight to the
    /// writer when no earlier frame of this socket is still waiting (so their order holds);
    /// anything else (files, receipts, errors, or a frame behind others) waits its turn.
    @Sendable
    func receive(_ text: String) {
        if waiting.withLockedValue({ $0 }) == 0,
           case .success(.text(let content, let clientID)) = InboundFrame.parse(text.utf8, maxText: services.config.maxTextLength) {
            services.writer.append(pending(.text(content), clientID: clientID))
            return
        }
        waiting.withLockedValue { $0 += 1 }
        work.submit { [self] in
            await handle(text)
            waiting.withLockedValue { $0 -= 1 }
        }
    }

    /// Catch-up, then the participant's arrival (when it is their first socket in the session).
    func start(lastSeq: Int?, firstOfParticipant: Bool) {
        work.submit { [self] in
            do {
                try await catchUp(lastSeq: lastSeq)
            } catch {
                logger.error("catch-up failed", metadata: ["session": "\(session)", "error": "\(error)"])
                connection.close(code: .unexpectedServerError)
            }
            if firstOfParticipant { await relay(SessionSignal.Participant(joined: true, session: session, identity: connection.identity)) }
        }
    }

    /// The channel closed: after every frame received before (nothing accepted is dropped), the
    /// socket leaves its session, and the participant too when it was their last socket.
    @Sendable
    func closed() {
        work.submit { [self] in
            if services.sessions.remove(connection) {
                await relay(SessionSignal.Participant(joined: false, session: session, identity: connection.identity))
            }
        }
    }

    /// Sends what a reconnecting client missed, then releases the events held meanwhile. Also
    /// covers a session that ended between the handshake and the registration with the hub.
    private func catchUp(lastSeq: Int?) async throws {
        var lastSent = 0
        if let lastSeq {
            for message in try await CatchUp.messages(of: session, after: lastSeq, on: db) {
                connection.send(json: WireMessage(message))
                lastSent = message.seq
            }
        }
        let stored = try await ChatSession.find(session, on: db)
        connection.finishCatchUp(lastSent: lastSent)
        if let endedAt = stored?.endedAt {
            connection.send(json: ServerFrame.sessionEnded(session, at: endedAt))
            connection.close(code: .sessionEnded)
        }
    }

    private func handle(_ text: String) async {
        switch InboundFrame.parse(text.utf8, maxText: services.config.maxTextLength) {
        case .failure(let refusal):
            connection.sendError(refusal.message)
        case .success(.text(let content, let clientID)):
            services.writer.append(pending(.text(content), clientID: clientID))
        case .success(.file(let url, let isAudio, let clientID)):
            do {
                guard let attachment = try await attachment(named: url) else {
                    connection.sendError("Unknown file: upload it to /chat/upload-file/ for this session first, then send its URL.")
                    return
                }
                let body = PendingMessage.Body.file(
                    url: attachment.url, fileName: attachment.fileName, isAudio: isAudio, attachmentID: try attachment.requireID())
                services.writer.append(pending(body, clientID: clientID))
            } catch {
                fail("file message lookup failed", error, tell: "The file could not be checked. Please send it again.")
            }
        case .success(.endSession):
            do {
                _ = try await services.writer.end(session: session)
            } catch {
                fail("end_session failed", error, tell: "The session could not be ended. Please try again.")
            }
        case .success(.typing(let isTyping)):
            await relay(SessionSignal.Typing(
                session_id: session.lowercasedText, sender_id: subject, sender_type: connection.identity.senderType,
                is_typing: isTyping))
        case .success(.read(let messageID)):
            await markRead(messageID)
        }
    }

    private func markRead(_ messageID: UUID) async {
        do {
            guard let message = try await ChatMessage.find(messageID, on: db), message.sessionID == session else {
                connection.sendError("Invalid message: \"message_id\" must be the id of a message of this session.")
                return
            }
            guard let reader = connection.identity.subject,
                  try await ReadMarkers(db: db).advance(session: session, reader: reader, to: message.seq) else { return }
            await relay(SessionSignal.Read(
                session_id: session.lowercasedText, message_id: messageID.lowercasedText, seq: message.seq,
                reader_id: subject, reader_type: connection.identity.senderType, timestamp: WireTime.iso(WireTime.now())))
        } catch {
            fail("read marker failed", error, tell: "The read receipt could not be stored. Please send it again.")
        }
    }

    /// Sends a signal to the session's other sockets (on every node).
    private func relay<Signal: Encodable>(_ signal: Signal) async {
        let payload = JSONFrame.encode(signal, allocator: connection.channel.allocator)
        services.fanout.publish(HubEvent(topic: .session(session), kind: .signal, number: nil, payload: payload, excluding: connection.id))
    }

    private var subject: String { connection.identity.subject?.lowercasedText ?? "" }

    private func fail(_ what: String, _ error: any Error, tell message: String) {
        logger.error("\(what)", metadata: ["session": "\(session)", "error": "\(error)"])
        connection.sendError(message)
    }

    private func attachment(named url: String) async throws -> Attachment? {
        guard let name = MediaURL.storedName(in: url) else { return nil }
        return try await Attachment.query(on: db)
            .filter(\.$storedName == name)
            .filter(\.$sessionID == session)
            .first()
    }

    private func pending(_ body: PendingMessage.Body, clientID: String?) -> PendingMessage {
        PendingMessage(
            sessionID: session, businessID: business, body: body,
            senderID: connection.identity.subject ?? UUID(), senderType: connection.identity.senderType,
            clientID: clientID, origin: connection)
    }
}
