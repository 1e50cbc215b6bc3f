import ChatDomain
import Foundation
import NIOCore

/// A streamed `multipart/form-data` upload: the domain's `UploadFormReader` reads it, the file
/// part goes to a temporary file as it arrives. Used by one task.
final class MultipartUpload {
    private(set) var form: UploadFormReader
    private let output: FileHandle

    init?(contentType: String?, limit: Int, writingTo file: URL) {
        guard let form = UploadFormReader(contentType: contentType, limit: limit) else { return nil }
        guard FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let output = try? FileHandle(forWritingTo: file) else { return nil }
        self.form = form
        self.output = output
    }

    func feed(_ buffer: ByteBuffer) {
        let output = output
        // One copy into an array (a memcpy), which the reader appends to its own in one piece.
        let bytes = buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) ?? []
        form.feed(bytes) { bytes in
            do {
                try output.write(contentsOf: bytes)
                return true
            } catch {
                return false
            }
        }
    }

    /// Whether the whole body was read, well formed, and the file written.
    func finish() -> Bool {
        try? output.close()
        return form.finish()
    }
}
