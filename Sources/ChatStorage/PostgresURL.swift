import FluentPostgresDriver
import Foundation

/// How this server connects to PostgreSQL (`DATABASE_URL`): the pool, the bus listener and the
/// migration lock all use it. No TLS: the database is on the host or a private network (README).
enum PostgresURL {
    static func configuration(_ url: String) throws -> SQLPostgresConfiguration {
        var configuration = try SQLPostgresConfiguration(url: url)
        configuration.coreConfiguration.tls = .disable
        return configuration
    }
}

extension UUID {
    /// A 64-bit key for PostgreSQL's advisory locks: the id's first 8 bytes.
    var advisoryLockKey: Int64 {
        withUnsafeBytes(of: uuid) { $0.loadUnaligned(as: Int64.self) }
    }
}
