import PostgresNIO

/// What the log may say about a storage error: its type, and for PostgreSQL the SQLSTATE and the
/// server's message — never the query or its bind values (message content, secrets), which
/// `String(reflecting:)` of a `PSQLError` would print, nor the server's `detail` (it quotes values).
package enum LoggedError {
    package static func describe(_ error: any Error) -> String {
        if let psql = error as? PSQLError {
            let state = psql.serverInfo?[.sqlState] ?? "-"
            let message = psql.serverInfo?[.message] ?? "\(psql.code)"
            return "PSQLError \(state): \(message)"
        }
        return "\(type(of: error)): \(error)"
    }
}
