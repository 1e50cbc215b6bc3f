import ChatDomain
import Foundation

/// Uploaded files on disk, under random names, in the data folder's `media/chat_attachments`
/// (one node: SQLite). `DatabaseFileStore` keeps their bytes in PostgreSQL instead.
package struct FileStore: AttachmentFiles {
    let directory: URL

    package init(directory: URL) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// A fresh path for an upload in progress.
    package func temporaryFile() -> URL {
        directory.appendingPathComponent(".upload-\(RandomToken.hex(bytes: 16))")
    }

    /// Moves a finished upload to its final random name (`<32 hex>.<ext>`), returned.
    package func keep(_ temporary: URL, kind: FileKind) async throws -> String {
        let name = "\(RandomToken.hex(bytes: 16)).\(kind.fileExtension)"
        try FileManager.default.moveItem(at: temporary, to: directory.appendingPathComponent(name))
        return name
    }

    package func discard(_ temporary: URL) {
        try? FileManager.default.removeItem(at: temporary)
    }

    package func remove(storedName: String) async {
        guard let path = path(of: storedName) else { return }
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The path of a stored file, only for names this store hands out.
    func path(of storedName: String) -> String? {
        let parts = storedName.split(separator: ".")
        guard parts.count == 2, parts[0].count == 32, parts[0].allSatisfy(\.isHexDigit),
              parts[1].count <= 5, parts[1].allSatisfy({ $0.isLetter || $0.isNumber }) else { return nil }
        return directory.appendingPathComponent(storedName).path
    }

    package func open(storedName: String) async throws -> FileSource? {
        guard let path = path(of: storedName), FileManager.default.fileExists(atPath: path) else { return nil }
        return .path(path)
    }
}
