import ChatDomain
import ChatRealtime
import Vapor

/// `POST /chat/upload-file/`: a streamed multipart upload, written to a temporary file as it
/// arrives; the domain then binds it to the uploader's session, types it and keeps it (`Uploads.swift`).
package struct UploadController: RouteCollection {
    package init() {}

    package func boot(routes: any RoutesBuilder) throws {
        routes.on(.POST, "chat", "upload-file", body: .stream, use: upload)
    }

    @Sendable
    func upload(req: Request) async throws -> Response {
        let chat = req.chat
        let limit = chat.settings.maxUploadBytes
        let caller: Identity? = req.webSettings.publicVisitorHTTP && req.bearerToken == nil ? nil : try await req.requireIdentity()
        if caller == .admin { throw ChatError.forbidden }
        // Everything that can be decided before the body is: the address's rate, the visitor's session and quota.
        try req.realtime.take(req.realtime.uploads, named: "upload", for: req.clientAddress)
        try await chat.uploads.precheckUpload(caller: caller)
        // Past this many bytes the body is not even drained: the client is cut off.
        let hardLimit = limit * 2 + 1024 * 1024
        if let length = req.headers.first(name: .contentLength).flatMap(Int.init), length > hardLimit {
            throw ChatError.fileTooLarge(limit: limit)
        }
        let temporary = chat.uploads.temporaryFile()
        guard let parser = MultipartUpload(contentType: req.headers.first(name: .contentType), limit: limit, writingTo: temporary) else {
            throw HTTPRefusal.notMultipart
        }
        // Removed unless the file store kept it (it moves the file away).
        defer { chat.uploads.discard(temporary) }

        var received = 0
        for try await chunk in req.body {
            received += chunk.readableBytes
            if received > hardLimit { throw ChatError.fileTooLarge(limit: limit) }
            parser.feed(chunk)
        }
        let finished = parser.finish()
        let upload = parser.form
        if upload.tooLarge { throw ChatError.fileTooLarge(limit: limit) }
        guard finished else { throw HTTPRefusal.malformedMultipart }
        guard upload.sawFile, let rawName = upload.fileName else { throw ChatError.invalid("file", "No file was submitted.") }

        let fields = upload.fields
        let endUser = try uuid("uploaded_by_end_user", in: fields)
        let agent = try uuid("uploaded_by_agent", in: fields)
        let form = UploadService.UploadForm(sessionID: try uuid("session_id", in: fields), uploadedByEndUser: endUser, uploadedByAgent: agent,
                                   message: try uuid("message", in: fields))
        let file = UploadService.UploadedFile(temporary: temporary, rawName: rawName, head: upload.head, size: upload.fileSize)
        let attachment = try await chat.uploads.recordUpload(file, form: form, caller: caller) { MediaURL.absolute($0, req: req) }
        return try Envelope(message: "File uploaded successfully", data: WireAttachment(attachment)).response(status: .created)
    }

    private func uuid(_ key: String, in fields: [String: String]) throws -> UUID? {
        guard let raw = fields[key]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty, raw != "null" else { return nil }
        guard let id = UUID(text: raw) else { throw ChatError.invalid(key, "Must be a valid UUID.") }
        return id
    }
}
