import Foundation

/// `POST /chat/upload-file/`: binding an upload to its session and uploader, typing it from its
/// bytes, and recording it. The HTTP layer streams the body to a temporary file first.
package struct UploadService: Sendable {
    let historyStore: any HistoryStore
    let sessionStore: any SessionStore
    let visitorStore: any VisitorStore
    let files: any AttachmentFiles
    let settings: ChatSettings
    let sessionAccess: SessionAccess

    /// Where an upload in progress is written.
    package func temporaryFile() -> URL {
        files.temporaryFile()
    }

    /// Removes an upload in progress that was not kept.
    package func discard(_ temporary: URL) {
        files.discard(temporary)
    }

    /// The text fields of an upload form.
    package struct UploadForm: Sendable {
        package var sessionID: UUID?
        package var uploadedByEndUser: UUID?
        package var uploadedByAgent: UUID?
        package var message: UUID?

        package init(sessionID: UUID?, uploadedByEndUser: UUID?, uploadedByAgent: UUID?, message: UUID?) {
            self.sessionID = sessionID
            self.uploadedByEndUser = uploadedByEndUser
            self.uploadedByAgent = uploadedByAgent
            self.message = message
        }
    }

    /// A finished upload on its way to the file store.
    package struct UploadedFile: Sendable {
        package let temporary: URL
        package let rawName: String
        package let head: [UInt8]
        package let size: Int

        package init(temporary: URL, rawName: String, head: [UInt8], size: Int) {
            self.temporary = temporary
            self.rawName = rawName
            self.head = head
            self.size = size
        }
    }

    /// Binds the upload to its session (checked against `caller`; nil: the seed's public visitor
    /// mode, where the form names the visitor), types it and keeps it. `url` makes a stored name's URL.
    package func recordUpload(_ file: UploadedFile, form: UploadForm, caller: Identity?,
                              url: (String) -> String) async throws -> Attachment {
        guard file.size > 0 else { throw ChatError.invalid("file", "The submitted file is empty.") }
        let (session, visitor, agent) = try await uploadTarget(form, caller: caller)
        try await checkQuota(of: session.id, adding: file.size)
        if let message = form.message {
            guard let found = try await historyStore.message(message), found.sessionID == session.id else {
                throw ChatError.invalid("message", "Unknown message for this session.")
            }
        }
        let safeName = FileName.sanitize(file.rawName)
        guard let kind = FileKind.detect(head: file.head, fileName: safeName) else { throw ChatError.fileTypeNotAllowed }
        let storedName = try await files.keep(file.temporary, kind: kind)
        let attachment = Attachment(
            sessionID: session.id, storedName: storedName, url: url(storedName), fileName: FileName.sanitize(file.rawName, kind: kind),
            contentType: kind.contentType, size: file.size, messageID: form.message, uploadedByEndUser: visitor, uploadedByAgent: agent)
        do {
            try await historyStore.insert(attachment)
        } catch {
            await files.remove(storedName: storedName)
            throw error
        }
        return attachment
    }

    /// The active session an upload goes to, and its uploader (visitor or agent).
    private func uploadTarget(_ form: UploadForm, caller: Identity?) async throws -> (ChatSession, visitor: UUID?, agent: UUID?) {
        let session: ChatSession
        let uploader: (UUID?, UUID?)
        switch caller {
        case .visitor(let id, let business)?:
            if let endUser = form.uploadedByEndUser, endUser != id {
                throw ChatError.wrongUploader("uploaded_by_end_user must be the visitor of this token.")
            }
            if form.uploadedByAgent != nil { throw ChatError.wrongUploader("A visitor cannot upload as an agent.") }
            session = try await visitorSession(visitor: id, business: business, sessionID: form.sessionID)
            uploader = (id, nil)
        case .agent(let id, let business)?:
            if let agent = form.uploadedByAgent, agent != id {
                throw ChatError.wrongUploader("uploaded_by_agent must be the agent of this token.")
            }
            if form.uploadedByEndUser != nil { throw ChatError.wrongUploader("An agent cannot upload as a visitor.") }
            guard let sessionID = form.sessionID else {
                throw ChatError.invalid("session_id", "Agents name the session to attach the file to.")
            }
            session = try await sessionAccess.session(sessionID, as: .agent(id: id, business: business))
            uploader = (nil, id)
        case .admin?:
            throw ChatError.forbidden
        case nil:
            // Public visitor mode: the visitor names themself.
            guard let endUser = form.uploadedByEndUser else { throw ChatError.unauthenticated }
            guard let visitor = try await visitorStore.visitor(endUser) else { throw ChatError.noActiveSession }
            session = try await visitorSession(visitor: endUser, business: visitor.businessID, sessionID: form.sessionID)
            uploader = (endUser, nil)
        }
        guard session.isActive else { throw ChatError.sessionEnded }
        return (session, uploader.0, uploader.1)
    }

    /// Before the body is read: a visitor's active session must have room in its quota. (The form,
    /// read after, may name the session: an agent's, or a visitor's ended one, is checked then.)
    package func precheckUpload(caller: Identity?) async throws {
        guard case .visitor(let id, let business)? = caller,
              let session = try await sessionStore.activeSession(visitor: id, business: business) else { return }
        try await checkQuota(of: session.id, adding: 1)
    }

    /// The session's files and bytes stay within the quota (`ChatSettings`) with one more of `size`.
    private func checkQuota(of session: UUID, adding size: Int) async throws {
        let files = settings.maxUploadsPerSession, bytes = settings.maxUploadBytesPerSession
        guard files > 0 || bytes > 0 else { return }
        let used = try await historyStore.attachmentUsage(of: session)
        if (files > 0 && used.count + 1 > files) || (bytes > 0 && used.bytes + size > bytes) {
            throw ChatError.uploadQuotaReached(files: files, bytes: bytes)
        }
    }

    private func visitorSession(visitor: UUID, business: UUID, sessionID: UUID?) async throws -> ChatSession {
        if let sessionID { return try await sessionAccess.session(sessionID, as: .visitor(id: visitor, business: business)) }
        guard let session = try await sessionStore.activeSession(visitor: visitor, business: business) else { throw ChatError.noActiveSession }
        return session
    }

    /// A stored file's attachment row and its bytes, for serving it.
    package func attachment(storedName: String) async throws -> (Attachment, FileSource) {
        guard let attachment = try await historyStore.attachment(storedName: storedName),
              let source = try await files.open(storedName: storedName) else {
            throw ChatError.fileNotFound
        }
        return (attachment, source)
    }
}
