import ChatDomain
import ChatRealtime
import Vapor

/// `GET /media/chat_attachments/<name>`: uploaded files, never sniffed, never run by the browser.
package struct MediaController: RouteCollection {
    package init() {}

    package func boot(routes: any RoutesBuilder) throws {
        routes.get("media", "chat_attachments", ":name", use: file)
    }

    @Sendable
    func file(req: Request) async throws -> Response {
        guard let name = req.parameters.get("name"), !name.utf8.contains(0) else { throw ChatError.fileNotFound }
        let (attachment, source) = try await req.chat.uploads.attachment(storedName: name)
        let response: Response
        switch source {
        case .path(let path):
            response = try await req.fileio.asyncStreamFile(at: path)
        case .chunks(let count, let size, let read):
            response = Response(status: .ok, body: .init(managedAsyncStream: { writer in
                for index in 0..<count { try await writer.writeBuffer(ByteBuffer(bytes: try await read(index))) }
            }, count: size))
        }
        let inline = FileKind.isInline(contentType: attachment.contentType)
        response.headers.replaceOrAdd(name: .contentType, value: attachment.contentType)
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'none'; sandbox")
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, max-age=86400")
        response.headers.replaceOrAdd(name: .contentDisposition, value: ContentDisposition.header(inline: inline, fileName: attachment.fileName))
        return response
    }
}

/// `Content-Disposition` with an ASCII fallback name (a quoted string: `"` and `\` replaced) and
/// the exact UTF-8 name (RFC 6266 / 8187: only ASCII letters, digits and `-._~` left unescaped).
enum ContentDisposition {
    static let unescaped = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func header(inline: Bool, fileName: String) -> String {
        let ascii = String(fileName.unicodeScalars.map { scalar -> Character in
            scalar.value >= 0x20 && scalar.value < 0x7F && !"\"\\".unicodeScalars.contains(scalar) ? Character(scalar) : "_"
        })
        let encoded = fileName.addingPercentEncoding(withAllowedCharacters: unescaped) ?? ascii
        return "\(inline ? "inline" : "attachment"); filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }
}
