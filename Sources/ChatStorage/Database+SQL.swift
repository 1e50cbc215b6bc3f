import Fluent
import Foundation
import SQLKit

enum StorageError: Error, CustomStringConvertible {
    case notSQL
    case noCursor
    /// A new session collided with an active one of its visitor that could not be read back.
    case activeSessionMissing(UUID)
    /// Another process stores messages in this SQLite file (it holds the writer lock).
    case dataFolderInUse(String)
    /// A stored file lost a chunk while it was being read.
    case missingChunk(String, Int)

    var description: String {
        switch self {
        case .notSQL: "the database does not speak SQL"
        case .noCursor: "a feed event got no cursor"
        case .activeSessionMissing(let visitor): "visitor \(visitor) has an active session that cannot be read"
        case .missingChunk(let name, let index): "chunk \(index) of \(name) is missing"
        case .dataFolderInUse(let path):
            "another livechat server stores messages in \(path): one server per SQLite data folder (use PostgreSQL for several)"
        }
    }
}

extension Database {
    /// The SQL view of a Fluent database (both drivers we ship are SQL databases).
    func sql() throws -> any SQLDatabase {
        guard let sql = self as? any SQLDatabase else { throw StorageError.notSQL }
        return sql
    }
}
