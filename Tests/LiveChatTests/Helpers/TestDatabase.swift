import Foundation
import PostgresNIO
import Vapor

/// The store the suite runs on: SQLite files in each test's data folder, or, when
/// `LIVECHAT_TEST_DATABASE_URL` names a PostgreSQL cluster, a fresh database of its own on that
/// cluster for each test (created before, dropped after).
enum TestDatabase {
    /// `postgres://user[:password]@host:port/database` of a database to connect to for CREATE and DROP.
    static let clusterURL: String? = ProcessInfo.processInfo.environment["LIVECHAT_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }

    static var isPostgres: Bool { clusterURL != nil }

    /// A new, empty database on the cluster: its name and the URL the server is given.
    struct Instance: Sendable {
        let name: String
        let url: String
    }

    /// A new database on the cluster; nil on SQLite.
    static func create() async throws -> Instance? {
        guard let clusterURL else { return nil }
        let name = "livechat_t_" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        try await run("CREATE DATABASE \(name)")
        guard var parts = URLComponents(string: clusterURL) else { throw TestFailure("LIVECHAT_TEST_DATABASE_URL is not a URL") }
        parts.path = "/" + name
        guard let url = parts.string else { throw TestFailure("no URL for \(name)") }
        return Instance(name: name, url: url)
    }

    /// Drops the database even if a connection to it is still open.
    static func drop(_ database: Instance) async throws {
        try await run("DROP DATABASE IF EXISTS \(database.name) WITH (FORCE)")
    }

    /// Kills the connections LISTENing on `databaseURL`'s database (the nodes' bus listeners), as
    /// a PostgreSQL restart or a network blip would; returns how many it killed.
    @discardableResult
    static func terminateListeners(of databaseURL: String) async throws -> Int {
        guard let name = URLComponents(string: databaseURL)?.path.dropFirst(), !name.isEmpty,
              name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { throw TestFailure("no database in \(databaseURL)") }
        var killed = 0
        try await withConnection { connection in
            let rows = try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)' AND query ILIKE 'LISTEN%'
                """), logger: logger)
            for try await _ in rows { killed += 1 }
        }
        return killed
    }

    /// Lets clients connect to the database of `databaseURL`, or not (superusers included; the
    /// connections open stay open).
    /// Cuts every connection to the database (the nodes' pools and listeners).
    static func terminateAll(of databaseURL: String) async throws {
        guard let name = URLComponents(string: databaseURL)?.path.dropFirst(), !name.isEmpty,
              name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { throw TestFailure("no database in \(databaseURL)") }
        try await run("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)' AND pid <> pg_backend_pid()")
    }

    static func allowConnections(to databaseURL: String, _ allowed: Bool) async throws {
        guard let name = URLComponents(string: databaseURL)?.path.dropFirst(), !name.isEmpty,
              name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { throw TestFailure("no database in \(databaseURL)") }
        try await run("ALTER DATABASE \(name) ALLOW_CONNECTIONS \(allowed)")
    }

    private static let logger = Logger(label: "livechat.tests.database")

    /// Runs one statement on a connection of its own to the cluster's database.
    private static func run(_ sql: String) async throws {
        try await withConnection { connection in
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        }
    }

    private static func withConnection(_ body: (PostgresConnection) async throws -> Void) async throws {
        guard let clusterURL, let parts = URLComponents(string: clusterURL), let host = parts.host, let user = parts.user else {
            throw TestFailure("LIVECHAT_TEST_DATABASE_URL must look like postgres://user@host:port/database")
        }
        let configuration = PostgresConnection.Configuration(
            host: host, port: parts.port ?? 5432, username: user, password: parts.password,
            database: parts.path.isEmpty ? nil : String(parts.path.dropFirst()), tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            try await body(connection)
        } catch {
            try? await connection.close()
            throw TestFailure("\(String(reflecting: error))")
        }
        try await connection.close()
    }
}
