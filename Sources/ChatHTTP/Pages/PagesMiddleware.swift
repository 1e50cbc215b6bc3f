import Foundation
import Vapor

/// Serves the pages compiled into the binary (`EmbeddedPages`): the demo page `/`, the widget
/// `/widget.js` and the agent console `/agent/`, whatever the working directory.
///
/// GET and HEAD of a page answer 200 with its content type, its ETag and `Cache-Control: no-cache`
/// (browsers revalidate, so a new release is seen at once), or 304 when `If-None-Match` names the
/// ETag. A folder named without its slash (`/agent`) is redirected (301) to the path with it, as
/// FileMiddleware's `.redirect` does. A path with a `..` segment is never served. Everything
/// else goes to the next responder. `LIVECHAT_PUBLIC_DIR` replaces this with FileMiddleware.
package struct PagesMiddleware: AsyncMiddleware, Sendable {
    private struct Served: Sendable {
        let page: EmbeddedPage
        /// The body, made once: a response shares its storage instead of copying the bytes.
        let body: ByteBuffer
    }

    private let served: [String: Served]
    private let files: [String: EmbeddedPage]
    private let folders: Set<String>

    package init() {
        self.init(files: EmbeddedPages.files)
    }

    init(files: [String: EmbeddedPage]) {
        self.files = files
        self.folders = EmbeddedPages.foldersHolding(files.keys)
        self.served = files.mapValues { Served(page: $0, body: ByteBuffer(bytes: $0.bytes)) }
    }

    package func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.method == .GET || request.method == .HEAD,
              let path = request.url.path.removingPercentEncoding
        else { return try await next.respond(to: request) }

        switch EmbeddedPages.match(path, files: files, folders: folders) {
        case .notFound:
            return try await next.respond(to: request)
        case .folder:
            var url = request.url
            url.path += "/"
            return request.redirect(to: url.string, redirectType: .permanent)
        case .file(let key):
            guard let served = served[key] else { return try await next.respond(to: request) }
            return Self.response(for: served, to: request)
        }
    }

    private static func response(for served: Served, to request: Request) -> Response {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .eTag, value: served.page.etag)
        headers.replaceOrAdd(name: .cacheControl, value: "no-cache")
        if served.page.isMatched(byIfNoneMatch: request.headers[.ifNoneMatch]) {
            // RFC 9110 §15.4.5: a 304 carries the ETag and Cache-Control a 200 would, and no body;
            // its Content-Length, if any, is the 200's (as Vapor's FileIO does).
            headers.replaceOrAdd(name: .contentLength, value: String(served.body.readableBytes))
            return Response(status: .notModified, version: .http1_1, headersNoUpdate: headers, body: .empty)
        }
        headers.replaceOrAdd(name: .contentType, value: served.page.contentType)
        // For HEAD, Vapor's server writes these headers (Content-Length included) and drops the body.
        return Response(status: .ok, headers: headers, body: .init(buffer: served.body))
    }
}
