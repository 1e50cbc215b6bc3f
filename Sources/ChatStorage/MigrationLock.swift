import FluentPostgresDriver
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Several nodes starting at once on one PostgreSQL: only one applies the migrations, the others
/// wait for it (a session-level advisory lock on a connection of its own), then find them applied.
package struct MigrationLock: Sendable {
    /// The lock's key: any number the same on every node.
    static let key: Int64 = 0x6C69_7665_6368_6174  // "livechat"
    private let connection: PostgresConnection
    private let logger: Logger

    /// Waits for the lock on the database at `url`.
    package static func acquire(url: String, on eventLoop: any EventLoop, logger: Logger) async throws -> MigrationLock {
        let configuration = try PostgresURL.configuration(url).coreConfiguration
        let connection = try await PostgresConnection.connect(on: eventLoop, configuration: configuration, id: 2, logger: logger)
        do {
            try await connection.query("SELECT pg_advisory_lock(\(key))", logger: logger)
        } catch {
            try? await connection.close()
            throw error
        }
        return MigrationLock(connection: connection, logger: logger)
    }

    /// Releases the lock (closing the connection releases it too).
    package func release() async {
        _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.key))", logger: logger)
        try? await connection.close()
    }
}
