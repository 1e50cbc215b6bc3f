import Foundation

/// The file types we accept, recognised from the bytes themselves (the client's name and
/// content type are not trusted). Anything else is refused with 415.
package struct FileKind: Sendable, Equatable {
    package let contentType: String
    package let fileExtension: String
    /// Shown in the browser (images, audio); everything else is served as a download.
    package let inline: Bool

    package static let png = FileKind(contentType: "image/png", fileExtension: "png", inline: true)
    package static let jpeg = FileKind(contentType: "image/jpeg", fileExtension: "jpg", inline: true)
    package static let gif = FileKind(contentType: "image/gif", fileExtension: "gif", inline: true)
    package static let webp = FileKind(contentType: "image/webp", fileExtension: "webp", inline: true)
    package static let pdf = FileKind(contentType: "application/pdf", fileExtension: "pdf", inline: false)
    package static let wav = FileKind(contentType: "audio/wav", fileExtension: "wav", inline: true)
    package static let ogg = FileKind(contentType: "audio/ogg", fileExtension: "ogg", inline: true)
    package static let webm = FileKind(contentType: "audio/webm", fileExtension: "webm", inline: true)
    package static let mp3 = FileKind(contentType: "audio/mpeg", fileExtension: "mp3", inline: true)
    package static let m4a = FileKind(contentType: "audio/mp4", fileExtension: "m4a", inline: true)
    package static let mp4 = FileKind(contentType: "video/mp4", fileExtension: "mp4", inline: false)
    package static let text = FileKind(contentType: "text/plain; charset=utf-8", fileExtension: "txt", inline: false)
    package static let csv = FileKind(contentType: "text/csv; charset=utf-8", fileExtension: "csv", inline: false)
    package static let zip = FileKind(contentType: "application/zip", fileExtension: "zip", inline: false)
    package static let docx = FileKind(contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", fileExtension: "docx", inline: false)
    package static let xlsx = FileKind(contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", fileExtension: "xlsx", inline: false)

    /// How many leading bytes `detect` looks at.
    package static let sniffLength = 1024

    /// The kind of a file from its first bytes and its (already sanitised) name, or nil if refused.
    package static func detect(head: [UInt8], fileName: String) -> FileKind? {
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + prefix.count && Array(head[offset..<offset + prefix.count]) == prefix
        }
        let ext = fileName.split(separator: ".").last.map { $0.lowercased() } ?? ""
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return .gif }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return .webp }
        if starts(Array("RIFF".utf8)) && starts(Array("WAVE".utf8), at: 8) { return .wav }
        if starts(Array("%PDF-".utf8)) { return .pdf }
        if starts(Array("OggS".utf8)) { return .ogg }
        if starts([0x1A, 0x45, 0xDF, 0xA3]) { return .webm }
        if starts(Array("ID3".utf8)) || (head.count >= 2 && head[0] == 0xFF && (head[1] & 0xE0) == 0xE0) { return .mp3 }
        if starts(Array("ftyp".utf8), at: 4), head.count >= 12 {
            switch String(decoding: head[8..<12], as: UTF8.self) {
            case "M4A ": return .m4a
            case "isom", "iso2", "mp41", "mp42", "avc1", "dash", "MSNV": return .mp4
            default: return nil  // HEIC, AVIF, QuickTime and other ISO media: not on the list
            }
        }
        if starts([0x50, 0x4B, 0x03, 0x04]) {
            switch ext {
            case "docx": return .docx
            case "xlsx": return .xlsx
            case "zip": return .zip
            default: return nil
            }
        }
        if ["txt", "csv", "log", "md"].contains(ext), isHarmlessText(head) { return ext == "csv" ? .csv : .text }
        return nil
    }

    /// Whether a stored content type is shown in the browser rather than downloaded.
    package static func isInline(contentType: String) -> Bool {
        contentType.hasPrefix("image/") || contentType.hasPrefix("audio/")
    }

    /// UTF-8 text with no NUL byte and nothing a browser could take for markup.
    private static func isHarmlessText(_ head: [UInt8]) -> Bool {
        guard !head.contains(0) else { return false }
        // A multi-byte character may be cut at the end of the sniffed bytes.
        let text = String(decoding: head, as: UTF8.self).lowercased()
        let markers = ["<html", "<script", "<svg", "<!doctype", "<?xml", "<body", "<iframe", "<head"]
        if markers.contains(where: text.contains) { return false }
        return text.trimmingCharacters(in: .whitespacesAndNewlines).first != "<"
    }
}

/// The display name of an upload: no path, no control characters, at most 255 characters.
package enum FileName {
    package static func sanitize(_ raw: String?, kind: FileKind? = nil) -> String {
        // Split on scalars, not characters: a slash followed by a combining mark is one character.
        let base = (raw ?? "").unicodeScalars.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last
            .map { String(String.UnicodeScalarView($0)) } ?? ""
        var cleaned = String(String.UnicodeScalarView(base.unicodeScalars.filter {
            !CharacterSet.controlCharacters.contains($0) && $0 != "\u{7F}" && !CharacterSet.illegalCharacters.contains($0)
        })).trimmingCharacters(in: .whitespaces)
        while cleaned.unicodeScalars.first == "." { cleaned.unicodeScalars.removeFirst() }
        if cleaned.count > 255 { cleaned = String(cleaned.suffix(255)) }
        if cleaned.isEmpty { cleaned = "file" + (kind.map { "." + $0.fileExtension } ?? "") }
        return cleaned
    }
}
