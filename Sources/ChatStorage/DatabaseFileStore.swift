import ChatDomain
import Fluent
import Foundation
import SQLKit

/// Uploaded files' bytes in the database (PostgreSQL: several nodes share it, and any node serves
/// any file), in chunks of `chunkBytes`: written one chunk at a time from the finished upload on
/// local disk, read back one chunk at a time while the answer streams. Never a whole file in memory.
package struct DatabaseFileStore: AttachmentFiles {
    static let chunkBytes = 256 * 1024

    let db: any Database
    /// Where uploads in progress are written (this node's data folder); the same names as `FileStore`'s.
    let local: FileStore

    package init(db: any Database, local: FileStore) {
        self.db = db
        self.local = local
    }

    package func temporaryFile() -> URL { local.temporaryFile() }

    package func discard(_ temporary: URL) { local.discard(temporary) }

    package func keep(_ temporary: URL, kind: FileKind) async throws -> String {
        let name = "\(RandomToken.hex(bytes: 16)).\(kind.fileExtension)"
        let handle = try FileHandle(forReadingFrom: temporary)
        defer { try? handle.close() }
        var index = 0
        do {
            while let chunk = try handle.read(upToCount: Self.chunkBytes), !chunk.isEmpty {
                try await db.sql().raw("""
                    INSERT INTO attachment_chunks (stored_name, idx, data) VALUES (\(bind: name), \(bind: index), \(bind: chunk))
                    """).run()
                index += 1
            }
        } catch {
            await remove(storedName: name)
            throw error
        }
        local.discard(temporary)
        return name
    }

    package func remove(storedName: String) async {
        _ = try? await db.sql().raw("DELETE FROM attachment_chunks WHERE stored_name = \(bind: storedName)").run()
    }

    package func open(storedName: String) async throws -> FileSource? {
        guard local.path(of: storedName) != nil else { return nil }  // not a name this store hands out
        let row = try await db.sql().raw("""
            SELECT COUNT(*) AS chunks, COALESCE(SUM(LENGTH(data)), 0) AS bytes FROM attachment_chunks WHERE stored_name = \(bind: storedName)
            """).first()
        guard let row, let count = try? row.decode(column: "chunks", as: Int.self), count > 0 else { return nil }
        let size = (try? row.decode(column: "bytes", as: Int.self)) ?? 0
        let db = self.db
        return .chunks(count: count, size: size) { index in
            guard let chunk = try await db.sql().raw("""
                SELECT data FROM attachment_chunks WHERE stored_name = \(bind: storedName) AND idx = \(bind: index)
                """).first() else { throw StorageError.missingChunk(storedName, index) }
            return [UInt8](try chunk.decode(column: "data", as: Data.self))
        }
    }
}
