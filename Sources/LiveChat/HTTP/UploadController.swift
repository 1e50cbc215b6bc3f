import Fluent
import Vapor

/// `POST /chat/upload-file/`: a streamed multipart upload, bound to the uploader's session,
/// typed from its bytes and stored under a random name.
struct UploadController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(.POST, "chat", "upload-file", body: .stream, use: upload)
    }

    @Sendable
    func upload(req: Request) async throws -> Response {
        let config = req.chat.config
        let caller: Identity? = config.publicVisitorHTTP && req.bearerToken == nil ? nil : try await req.requireIdentity()
        if caller == .admin { throw ChatError.forbidden }
        // Past this many bytes the body is not even drained: the client is cut off.
        let hardLimit = config.maxUploadBytes * 2 + 1024 * 1024
        if let length = req.headers.first(name: .contentLength).flatMap(Int.init), length > hardLimit {
            throw tooLarge(config)
        }
        let temporary = req.chat.files.temporaryFile()
        guard let parser = MultipartUpload(
            contentType: req.headers.first(name: .contentType), limit: config.maxUploadBytes, writingTo: temporary)
        else {
            throw ChatError(.unsupportedMediaType, "The body must be multipart/form-data with a boundary.")
        }
        var kept = false
        defer { if !kept { req.chat.files.discard(temporary) } }

        var received = 0
        for try await chunk in req.body {
            received += chunk.readableBytes
            if received > hardLimit { throw tooLarge(config) }
            parser.feed(chunk)
        }
        guard parser.finish() else { throw ChatError(.badRequest, "Malformed multipart body.") }
        if parser.tooLarge { throw tooLarge(config) }
        guard parser.sawFile, let rawName = parser.fileName else {
            throw ChatError.invalid("file", "No file was submitted.")
        }
        guard parser.fileSize > 0 else { throw ChatError.invalid("file", "The submitted file is empty.") }

        let form = UploadForm(fields: parser.fields)
        let (session, uploader) = try await form.resolveSession(caller: caller, req: req)
        let relatedMessage = try await form.relatedMessage(in: session, on: req.db)

        let safeName = FileName.sanitize(rawName)
        guard let kind = FileKind.detect(head: parser.head, fileName: safeName) else {
            throw ChatError(.unsupportedMediaType, "This file type is not allowed.", fields: ["file": ["Allowed: images (PNG, JPEG, GIF, WebP), PDF, audio (WAV, MP3, OGG, WebM, M4A), MP4, plain text, CSV, DOCX, XLSX, ZIP."]])
        }
        let storedName = try req.chat.files.keep(temporary, kind: kind)
        kept = true

        let attachment = Attachment()
        attachment.id = UUID()
        attachment.sessionID = try session.requireID()
        attachment.storedName = storedName
        attachment.url = MediaURL.absolute(storedName, req: req)
        attachment.fileName = FileName.sanitize(rawName, kind: kind)
        attachment.contentType = kind.contentType
        attachment.size = parser.fileSize
        attachment.messageID = relatedMessage
        attachment.uploadedByEndUser = uploader.visitor
        attachment.uploadedByAgent = uploader.agent
        attachment.createdAt = WireTime.now()
        do {
            try await attachment.create(on: req.db)
        } catch {
            try? FileManager.default.removeItem(atPath: req.chat.files.path(of: storedName) ?? "")
            throw error
        }
        return try Envelope(message: "File uploaded successfully", data: WireAttachment(attachment)).response(status: .created)
    }

    private func tooLarge(_ config: AppConfig) -> ChatError {
        ChatError(.payloadTooLarge, "The file is too large (at most \(config.maxUploadBytes) bytes).")
    }
}

/// The text fields of an upload and the rules that bind it to a session.
private struct UploadForm {
    let fields: [String: String]

    struct Uploader {
        var visitor: UUID?
        var agent: UUID?
    }

    private func uuid(_ key: String) throws -> UUID? {
        guard let raw = fields[key]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty, raw != "null" else { return nil }
        guard let id = UUID(uuidString: raw) else { throw ChatError.invalid(key, "Must be a valid UUID.") }
        return id
    }

    func resolveSession(caller: Identity?, req: Request) async throws -> (ChatSession, Uploader) {
        let endUser = try uuid("uploaded_by_end_user")
        let agent = try uuid("uploaded_by_agent")
        let sessionID = try uuid("session_id")
        let session: ChatSession
        let uploader: Uploader
        switch caller {
        case .visitor(let id, let business)?:
            if let endUser, endUser != id { throw ChatError(.forbidden, "uploaded_by_end_user must be the visitor of this token.") }
            if agent != nil { throw ChatError(.forbidden, "A visitor cannot upload as an agent.") }
            session = try await visitorSession(visitor: id, business: business, sessionID: sessionID, db: req.db)
            uploader = Uploader(visitor: id)
        case .agent(let id, let business)?:
            if let agent, agent != id { throw ChatError(.forbidden, "uploaded_by_agent must be the agent of this token.") }
            if endUser != nil { throw ChatError(.forbidden, "An agent cannot upload as a visitor.") }
            guard let sessionID else { throw ChatError.invalid("session_id", "Agents name the session to attach the file to.") }
            session = try await SessionAccess.load(sessionID, on: req.db)
            try SessionAccess.require(.agent(id: id, business: business), on: session)
            uploader = Uploader(agent: id)
        case .admin?:
            throw ChatError.forbidden
        case nil:
            // Public visitor mode: the visitor names themself.
            guard let endUser else { throw ChatError.unauthenticated }
            guard let visitor = try await Visitor.find(endUser, on: req.db) else {
                throw ChatError(.notFound, "No active chat session for this visitor.")
            }
            session = try await visitorSession(visitor: endUser, business: visitor.businessID, sessionID: sessionID, db: req.db)
            uploader = Uploader(visitor: endUser)
        }
        guard session.isActive else { throw ChatError.sessionEnded }
        return (session, uploader)
    }

    private func visitorSession(visitor: UUID, business: UUID, sessionID: UUID?, db: any Database) async throws -> ChatSession {
        if let sessionID {
            let session = try await SessionAccess.load(sessionID, on: db)
            try SessionAccess.require(.visitor(id: visitor, business: business), on: session)
            return session
        }
        guard let session = try await ChatSession.query(on: db)
            .filter(\.$businessID == business).filter(\.$visitorID == visitor).filter(\.$endedAt == nil).first()
        else { throw ChatError(.notFound, "No active chat session for this visitor.") }
        return session
    }

    func relatedMessage(in session: ChatSession, on db: any Database) async throws -> UUID? {
        guard let id = try uuid("message") else { return nil }
        guard let message = try await ChatMessage.find(id, on: db), message.sessionID == session.id else {
            throw ChatError.invalid("message", "Unknown message for this session.")
        }
        return id
    }
}
