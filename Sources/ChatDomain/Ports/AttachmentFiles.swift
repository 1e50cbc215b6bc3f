import Foundation

/// Where uploaded files' bytes live: the data folder on SQLite (`FileStore`), the database on
/// PostgreSQL (`DatabaseFileStore`), so that with several nodes any node serves any file.
package protocol AttachmentFiles: Sendable {
    /// A fresh local path for an upload in progress.
    func temporaryFile() -> URL
    /// Keeps a finished upload under a new random name (`<32 hex>.<ext>`), returned.
    func keep(_ temporary: URL, kind: FileKind) async throws -> String
    func discard(_ temporary: URL)
    /// Removes a kept file (its row could not be stored).
    func remove(storedName: String) async
    /// A kept file's bytes, nil for a name this store did not hand out or does not hold.
    func open(storedName: String) async throws -> FileSource?
}

/// How to read a kept file: a path on this node, or chunks read one at a time (never the whole
/// file in memory).
package enum FileSource: Sendable {
    case path(String)
    case chunks(count: Int, size: Int, read: @Sendable (Int) async throws -> [UInt8])
}
