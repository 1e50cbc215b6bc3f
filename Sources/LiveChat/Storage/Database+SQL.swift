import Fluent
import SQLKit

enum StorageError: Error {
    case notSQL
    case noCursor
}

extension Database {
    /// The SQL view of a Fluent database (both drivers we ship are SQL databases).
    func sql() throws -> any SQLDatabase {
        guard let sql = self as? any SQLDatabase else { throw StorageError.notSQL }
        return sql
    }
}
