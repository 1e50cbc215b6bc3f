import Fluent
import Foundation
import Logging

/// The life of one accepted chat socket after `connection_established`: catch-up, then every
/// client message in arrival order — validated, then handed to the writer (stored, then broadcast).
struct ConnectionLoop: Sendable {
    let connection: SocketConnection
    let services: ChatServices
    let db: any Database
    let logger: Logger

    func run(_ frames: AsyncStream<String>, lastSeq: Int?) async {
        services.loops.enter()
        defer { services.loops.leave() }
        do {
            try await catchUp(lastSeq: lastSeq)
        } catch {
            logger.error("catch-up failed", metadata: ["session": "\(connection.sessionID)", "error": "\(error)"])
            connection.close(code: .unexpectedServerError)
            return
        }
        // Every frame received before the socket closed is handled: nothing accepted is dropped.
        for await text in frames {
            await handle(text)
        }
    }

    /// Sends what a reconnecting client missed, then releases the events held meanwhile. Also
    /// covers a session that ended between the handshake and the registration with the hub.
    private func catchUp(lastSeq: Int?) async throws {
        var lastSent = 0
        if let lastSeq {
            for message in try await CatchUp.messages(of: connection.sessionID, after: lastSeq, on: db) {
                connection.send(json: WireMessage(message))
                lastSent = message.seq
            }
        }
        let session = try await ChatSession.find(connection.sessionID, on: db)
        connection.finishCatchUp(lastSentSeq: lastSent)
        if let endedAt = session?.endedAt {
            connection.send(json: ServerFrame.sessionEnded(connection.sessionID, at: endedAt))
            connection.close(code: .sessionEnded)
        }
    }

    private func handle(_ text: String) async {
        switch InboundFrame.parse(text.utf8, maxText: services.config.maxTextLength) {
        case .failure(let refusal):
            connection.sendError(refusal.message)
        case .success(.text(let content, let clientID)):
            await services.writer.append(pending(.text(content), clientID: clientID))
        case .success(.file(let url, let isAudio, let clientID)):
            do {
                guard let attachment = try await attachment(named: url) else {
                    connection.sendError("Unknown file: upload it to /chat/upload-file/ for this session first, then send its URL.")
                    return
                }
                let body = PendingMessage.Body.file(
                    url: attachment.url, fileName: attachment.fileName, isAudio: isAudio, attachmentID: try attachment.requireID())
                await services.writer.append(pending(body, clientID: clientID))
            } catch {
                logger.error("file message lookup failed", metadata: ["session": "\(connection.sessionID)", "error": "\(error)"])
                connection.sendError("The file could not be checked. Please send it again.")
            }
        case .success(.endSession):
            do {
                _ = try await services.writer.end(session: connection.sessionID)
            } catch {
                logger.error("end_session failed", metadata: ["session": "\(connection.sessionID)", "error": "\(error)"])
                connection.sendError("The session could not be ended. Please try again.")
            }
        }
    }

    private func attachment(named url: String) async throws -> Attachment? {
        guard let name = MediaURL.storedName(in: url) else { return nil }
        return try await Attachment.query(on: db)
            .filter(\.$storedName == name)
            .filter(\.$sessionID == connection.sessionID)
            .first()
    }

    private func pending(_ body: PendingMessage.Body, clientID: String?) -> PendingMessage {
        PendingMessage(
            sessionID: connection.sessionID, body: body,
            senderID: connection.identity.subject ?? UUID(), senderType: connection.identity.senderType,
            clientID: clientID, origin: connection)
    }
}
