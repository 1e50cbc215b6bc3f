import Foundation

/// Where uploaded files' bytes live (the storage layer's `FileStore`, in the data folder).
package protocol AttachmentFiles: Sendable {
    /// A fresh path for an upload in progress.
    func temporaryFile() -> URL
    /// Keeps a finished upload under a new random name (`<32 hex>.<ext>`), returned.
    func keep(_ temporary: URL, kind: FileKind) throws -> String
    func discard(_ temporary: URL)
    /// Removes a kept file (its row could not be stored).
    func remove(storedName: String)
    /// The path of a kept file, only for names this store hands out.
    func path(of storedName: String) -> String?
    /// Whether this node holds the kept file (several nodes do not share their data folders).
    func exists(storedName: String) -> Bool
}
