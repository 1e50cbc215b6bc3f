// PageEmbedder: writes the Swift file that compiles the pages of Public/ into the server.
//
//     PageEmbedder <public dir> <output .swift>
//
// The EmbedPages build plugin runs it. Every file under the folder (dotfiles and dot folders
// skipped) becomes one entry of `EmbeddedPages.files`, keyed by its URL path
// ("/agent/console.js"), with its content type, a strong ETag and its bytes as a base64 string
// literal: exact for any bytes, and a string literal type-checks in milliseconds where an array of
// byte literals takes seconds. It lists the folder itself, so a page added since the plugin last
// ran is included.
import Foundation

struct Page {
    let urlPath: String
    let contentType: String
    let etag: String
    let base64: String
    let size: Int
}

/// Content types by extension; anything else is served as bytes.
let contentTypesByExtension: [String: String] = [
    "html": "text/html; charset=utf-8",
    "htm": "text/html; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "mjs": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xml": "application/xml; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "map": "application/json; charset=utf-8",
    "webmanifest": "application/manifest+json; charset=utf-8",
    "svg": "image/svg+xml",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "avif": "image/avif",
    "ico": "image/x-icon",
    "woff": "font/woff",
    "woff2": "font/woff2",
    "ttf": "font/ttf",
    "otf": "font/otf",
    "wasm": "application/wasm",
    "pdf": "application/pdf",
    "mp3": "audio/mpeg",
    "ogg": "audio/ogg",
    "wav": "audio/wav",
    "mp4": "video/mp4",
    "webm": "video/webm",
]

func contentType(of url: URL) -> String {
    contentTypesByExtension[url.pathExtension.lowercased()] ?? "application/octet-stream"
}

/// 64-bit FNV-1a of the bytes: a validator for If-None-Match, not a security hash.
func fnv1a64(_ bytes: Data) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
        hash ^= UInt64(byte)
        hash &*= 0x0000_0100_0000_01b3
    }
    return hash
}

func hex(_ value: UInt64, width: Int) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

/// A Swift string literal for `text`: quotes, backslashes and anything outside printable ASCII escaped.
func literal(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case " "..."~": out.unicodeScalars.append(scalar)
        default: out += "\\u{\(String(scalar.value, radix: 16))}"
        }
    }
    return out + "\""
}

/// The URL path of `file` under `root` ("/agent/index.html"), or nil when it is not under root.
func urlPath(of file: URL, under root: URL) -> String? {
    let rootParts = root.standardizedFileURL.resolvingSymlinksInPath().pathComponents
    let fileParts = file.standardizedFileURL.resolvingSymlinksInPath().pathComponents
    guard fileParts.count > rootParts.count, Array(fileParts.prefix(rootParts.count)) == rootParts else { return nil }
    return "/" + fileParts.dropFirst(rootParts.count).joined(separator: "/")
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("PageEmbedder: \(message)\n".utf8))
    exit(1)
}

/// The regular files under `root`, recursively, without dotfiles and dot folders.
func files(under root: URL) -> [URL] {
    guard let walk = FileManager.default.enumerator(
        at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
    else { return [] }
    var files: [URL] = []
    for case let url as URL in walk {
        if url.lastPathComponent.hasPrefix(".") {
            walk.skipDescendants()
        } else if (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
            files.append(url)
        }
    }
    return files
}

// Arguments after the two are ignored: a build planned by an older EmbedPages passed the files too.
let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2 else { fail("usage: PageEmbedder <public dir> <output .swift>") }
let root = URL(fileURLWithPath: arguments[0], isDirectory: true)
let output = URL(fileURLWithPath: arguments[1])

var pages: [Page] = []
for file in files(under: root) {
    guard let path = urlPath(of: file, under: root) else { fail("\(file.path) is not under \(root.path)") }
    let bytes: Data
    do { bytes = try Data(contentsOf: file) } catch { fail("cannot read \(file.path): \(error)") }
    pages.append(Page(
        urlPath: path, contentType: contentType(of: file),
        etag: "\"\(hex(fnv1a64(bytes), width: 16))-\(String(bytes.count, radix: 16))\"",
        base64: bytes.base64EncodedString(), size: bytes.count))
}
pages.sort { $0.urlPath < $1.urlPath }

var source = """
    // Generated by PageEmbedder (the EmbedPages build plugin) from Public/: do not edit.
    // \(pages.count) files, \(pages.reduce(0) { $0 + $1.size }) bytes.

    extension EmbeddedPages {
        static let files: [String: EmbeddedPage] = [

    """
for page in pages {
    source += """
                \(literal(page.urlPath)): EmbeddedPage(
                    contentType: \(literal(page.contentType)),
                    etag: \(literal(page.etag)),
                    base64: "\(page.base64)"),

        """
}
if pages.isEmpty { source += "        :\n" }
source += """
        ]
    }

    """

do {
    try FileManager.default.createDirectory(at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(source.utf8).write(to: output, options: .atomic)
} catch {
    fail("cannot write \(output.path): \(error)")
}
