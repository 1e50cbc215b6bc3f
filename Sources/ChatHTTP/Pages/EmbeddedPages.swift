import Foundation

/// One page compiled into the binary: the bytes of a file of Public/, its content type and a
/// strong ETag, both decided at build time by PageEmbedder.
struct EmbeddedPage: Sendable, Equatable {
    let contentType: String
    /// A strong entity tag, quotes included: `"<64-bit FNV-1a hex>-<size hex>"`.
    let etag: String
    let bytes: [UInt8]

    init(contentType: String, etag: String, bytes: [UInt8]) {
        self.contentType = contentType
        self.etag = etag
        self.bytes = bytes
    }

    /// The generated file's form. The literal comes from PageEmbedder, never from input.
    init(contentType: String, etag: String, base64: String) {
        guard let data = Data(base64Encoded: base64) else {
            preconditionFailure("EmbeddedPages+Generated.swift holds invalid base64; rebuild it")
        }
        self.init(contentType: contentType, etag: etag, bytes: [UInt8](data))
    }

    /// Whether a request's `If-None-Match` values (each a list, e.g. `"a", W/"b"` or `*`) name this
    /// page: then it is answered 304. The comparison is weak, as RFC 9110 §13.1.2 requires.
    func isMatched(byIfNoneMatch values: [String]) -> Bool {
        for value in values {
            for candidate in value.split(separator: ",") {
                let tag = candidate.trimmingCharacters(in: .whitespaces)
                if tag == "*" { return true }
                if (tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag) == etag { return true }
            }
        }
        return false
    }
}

/// The pages of Public/ (the demo page, the widget, the agent console), compiled into the binary:
/// `files` is written at build time by the EmbedPages plugin (EmbeddedPages+Generated.swift).
enum EmbeddedPages {
    /// What a request path names among the pages.
    enum Match: Equatable, Sendable {
        /// A page: the key of `files` to serve.
        case file(String)
        /// A folder named without its trailing slash (`/agent`): redirect to the path plus `/`,
        /// since the page's relative links need it.
        case folder
        /// Nothing here: the next responder answers.
        case notFound
    }

    /// Finds the page a percent-decoded request path names: the file itself, or a folder's
    /// `index.html` (`/` → `/index.html`, `/agent/` → `/agent/index.html`). A path with a `..`
    /// segment, or without its leading slash, names nothing.
    static func match(_ path: String, files: [String: EmbeddedPage], folders: Set<String>) -> Match {
        guard path.hasPrefix("/"), !path.split(separator: "/", omittingEmptySubsequences: false).contains("..") else {
            return .notFound
        }
        if files[path] != nil { return .file(path) }
        if path.hasSuffix("/") {
            let index = path + "index.html"
            return files[index] != nil ? .file(index) : .notFound
        }
        return folders.contains(path + "/") ? .folder : .notFound
    }

    /// Every folder holding one of `paths`, with its trailing slash: `/` and `/agent/` for ours.
    static func foldersHolding(_ paths: some Sequence<String>) -> Set<String> {
        var folders: Set<String> = []
        for path in paths {
            var parts = path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
            while !parts.isEmpty {
                folders.insert(parts.joined(separator: "/") + "/")
                parts = parts.dropLast()
            }
        }
        return folders
    }
}
