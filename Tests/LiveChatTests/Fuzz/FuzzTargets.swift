import Foundation
#if canImport(ChatDomain)
import ChatDomain
#endif

/// The parsers that read what clients send, as fuzz targets: each takes any bytes, must not trap,
/// and checks what the parser promises (a number reads back as its text, an origin or an email
/// as it was stored, the flat JSON reader agrees with `JSONDecoder`, a multipart body reads the
/// same whatever its chunking). Compiled two ways: into the test target, where `FuzzCorpusTests`
/// replays the corpus in Tests/fuzz/corpus (every crash found is kept there), and with ChatDomain's
/// sources into one libFuzzer binary by `scripts/fuzz` (Tests/fuzz/libfuzzer/Entry.swift).
enum FuzzTarget: String, CaseIterable, Sendable {
    case digits, dates, origins, urls, emails, headers, query, flatjson, frames, multipart

    func run(_ data: some Collection<UInt8>) {
        let bytes = Array(data)
        let text = String(decoding: bytes, as: UTF8.self)
        switch self {
        case .digits: Self.digits(text, bytes)
        case .dates: Self.dates(text)
        case .origins: Self.origins(text, bytes)
        case .urls: Self.urls(text)
        case .emails: Self.emails(text)
        case .headers: Self.headers(text)
        case .query: Self.query(text)
        case .flatjson: Self.flatJSON(bytes)
        case .frames: _ = InboundFrame.parse(bytes)
        case .multipart: Self.multipart(bytes)
        }
    }

    static func require(_ condition: Bool, _ what: @autoclosure () -> String) {
        if !condition { preconditionFailure("fuzz invariant broken: \(what())") }
    }

    static func digits(_ text: String, _ bytes: [UInt8]) {
        if let value = ASCIIDigits.number(text) { require(String(value) == text, "number \(value) from \(text.debugDescription)") }
        if let value = ASCIIDigits.fixed(bytes) { require(value >= 0, "fixed \(value)") }
        _ = try? ASCIIDigits.parameter(text, field: "limit", in: 1...1000)
    }

    static func dates(_ text: String) {
        guard let day = CalendarDay.number(text) else { return }
        require(Reports.dayText(day) == text, "day \(day) of \(text.debugDescription) reads back as \(Reports.dayText(day))")
    }

    static func origins(_ text: String, _ bytes: [UInt8]) {
        let lenient = bytes.first.map { $0 & 1 == 1 } ?? false
        if let origin = WebOrigin(text, allowingTrailingSlash: lenient) {
            require(WebOrigin(origin.description) == origin, "origin \(origin) of \(text.debugDescription) does not read back")
            require(origin.description.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "@") }, "origin \(origin)")
        }
        _ = OriginPolicy.allows(text, allowed: [text, "https://shop.example"])
        _ = try? OriginPolicy.validate([text], field: "allowed_origins")
    }

    static func urls(_ text: String) {
        if let url = try? WebURL.check(text, field: "url", maxLength: 2000) {
            require(url.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }, "url \(url.debugDescription)")
        }
    }

    static func emails(_ text: String) {
        guard let email = Mailbox.normalized(text) else { return }
        require(Mailbox.normalized(email) == email, "email \(email.debugDescription) does not read back")
        require(!email.contains(where: { "<>\"() \t\r\n".contains($0) }) && email.utf8.count <= Mailbox.maxLength, "email \(email.debugDescription)")
    }

    static func headers(_ text: String) {
        guard let value = HeaderValue(text) else { return }
        require(!value.value.isEmpty && value.value == value.value.lowercased(), "header value \(value.value.debugDescription)")
        require(value.parameters.keys.allSatisfy { $0 == $0.lowercased() && !$0.isEmpty }, "parameter names of \(text.debugDescription)")
        _ = value.isJSON
    }

    static func query(_ text: String) {
        for name in ["limit", "last_seq", "session_id", "from", ""] {
            let value = QueryString.value(of: name, in: text)
            _ = try? ASCIIDigits.parameter(value, field: name, in: 1...1000)
            _ = value.map(CalendarDay.number)
        }
    }

    static func flatJSON(_ bytes: [UInt8]) {
        _ = FlatJSON.nests(within: InboundFrame.maxNesting, bytes)
        guard let fast = FlatJSON.object(bytes) else { return }
        if let decoded = try? JSONDecoder().decode([String: JSONValue].self, from: Data(bytes)) {
            require(fast == decoded, "flat JSON reader and JSONDecoder disagree on \(String(decoding: bytes, as: UTF8.self).debugDescription)")
        }
    }

    /// The first line is the `Content-Type`, the rest the body; the first byte picks the chunk size.
    static func multipart(_ bytes: [UInt8]) {
        let newline = bytes.firstIndex(of: 0x0A) ?? bytes.endIndex
        let contentType = String(decoding: bytes[..<newline], as: UTF8.self)
        let body = Array(bytes[min(newline + 1, bytes.endIndex)...])
        let chunk = 1 + Int(bytes.first ?? 0) % 97
        func read(chunkedBy size: Int) -> (UploadFormReader, Bool, Int)? {
            guard var form = UploadFormReader(contentType: contentType, limit: 4096) else { return nil }
            var written = 0
            var start = 0
            while start < body.count {
                let end = min(start + size, body.count)
                form.feed(body[start..<end]) { part in
                    written += part.count
                    return true
                }
                start = end
            }
            return (form, form.finish(), written)
        }
        guard let (whole, wholeFinished, wholeWritten) = read(chunkedBy: max(1, body.count)),
              let (pieces, piecesFinished, piecesWritten) = read(chunkedBy: chunk) else { return }
        require(wholeFinished == piecesFinished && whole.malformed == pieces.malformed && whole.fields == pieces.fields
                && whole.fileName == pieces.fileName && whole.sawFile == pieces.sawFile && whole.tooLarge == pieces.tooLarge,
                "multipart body read differently in chunks of \(chunk)")
        if !whole.malformed, !pieces.malformed {
            require(whole.fileSize == pieces.fileSize && whole.head == pieces.head && wholeWritten == piecesWritten,
                    "multipart file read differently in chunks of \(chunk)")
        }
        require(whole.tooLarge || wholeWritten <= 4096, "file bytes past the limit were written")
    }
}
