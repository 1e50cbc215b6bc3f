import Foundation
import Synchronization
@testable import ChatDomain

/// Fakes the file store (`FileStore`, `DatabaseFileStore`: the domain's `AttachmentFiles`): an
/// upload in progress is a file in a temporary folder of its own; a kept file's bytes move into
/// a dictionary under a random name `<32 hex>.<ext>`, read back as one chunk.
final class FakeFiles: AttachmentFiles, Sendable {
    let directory: URL
    private let kept = Mutex<[String: [UInt8]]>([:])
    private let removedNames = Mutex<[String]>([])

    init() {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("livechat-fakefiles-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    func temporaryFile() -> URL {
        directory.appendingPathComponent(".upload-\(RandomToken.hex(bytes: 16))")
    }

    func keep(_ temporary: URL, kind: FileKind) async throws -> String {
        let bytes = try [UInt8](Data(contentsOf: temporary))
        try FileManager.default.removeItem(at: temporary)
        return store(bytes, kind: kind)
    }

    func discard(_ temporary: URL) {
        try? FileManager.default.removeItem(at: temporary)
    }

    func remove(storedName: String) async {
        kept.withLock { $0[storedName] = nil }
        removedNames.withLock { $0.append(storedName) }
    }

    /// nil for a name it did not hand out or no longer holds.
    func open(storedName: String) async throws -> FileSource? {
        guard let bytes = kept.withLock({ $0[storedName] }) else { return nil }
        return .chunks(count: 1, size: bytes.count, read: { _ in bytes })
    }

    // MARK: Test helpers

    /// Keeps `bytes` as a finished upload would be kept; its stored name.
    func store(_ bytes: [UInt8], kind: FileKind) -> String {
        let name = "\(RandomToken.hex(bytes: 16)).\(kind.fileExtension)"
        kept.withLock { $0[name] = bytes }
        return name
    }

    /// Writes `bytes` where an upload in progress would be (`temporaryFile`).
    func upload(_ bytes: [UInt8]) throws -> URL {
        let url = temporaryFile()
        try Data(bytes).write(to: url)
        return url
    }

    /// The names of the files held now.
    var storedNames: Set<String> { kept.withLock { Set($0.keys) } }

    /// The names `remove` was called with, in order.
    var removed: [String] { removedNames.withLock { $0 } }
}
