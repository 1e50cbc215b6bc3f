import ChatDomain
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Logging
import NIOCore

/// The database of a deployment: a SQLite file in the data folder (the embedded default), or
/// PostgreSQL at `postgresURL`. Registers it and the migrations, and opens the message writer on it.
package struct StorageSetup: Sendable {
    package let postgresURL: String?
    package let sqliteFile: URL
    /// SQLite: the WAL size past which the checkpointer rewinds it.
    package let walRestartBytes: Int

    /// PostgreSQL: pooled connections per event loop, and the statement timeout set on each.
    package let poolPerLoop: Int
    package let statementTimeoutMillis: Int

    package init(postgresURL: String?, sqliteFile: URL, walRestartBytes: Int, poolPerLoop: Int = 1, statementTimeoutMillis: Int = 30_000) {
        self.postgresURL = postgresURL
        self.sqliteFile = sqliteFile
        self.walRestartBytes = walRestartBytes
        self.poolPerLoop = poolPerLoop
        self.statementTimeoutMillis = statementTimeoutMillis
    }

    package func register(on databases: Databases, migrations: Migrations) throws {
        if let postgresURL {
            var postgres = try PostgresURL.configuration(postgresURL)
            postgres.coreConfiguration.options.additionalStartupParameters = [("statement_timeout", "\(statementTimeoutMillis)")]
            // Queries are logged (with their bind values: message content, secrets) at trace only:
            // the log at debug and above never holds them.
            databases.use(.postgres(configuration: postgres, maxConnectionsPerEventLoop: poolPerLoop, encodingContext: .default,
                                    decodingContext: .default, sqlLogLevel: .trace), as: .psql)
            // The background tasks (search index, webhooks) get a pool of their own: they never
            // take a connection the chat is waiting for, nor the other way round.
            databases.use(.postgres(configuration: postgres, maxConnectionsPerEventLoop: 1, encodingContext: .default,
                                    decodingContext: .default, sqlLogLevel: .trace), as: Self.background, isDefault: false)
        } else {
            databases.use(.sqlite(.file(sqliteFile.path), connectionPoolTimeout: .seconds(30), dataEncoder: .init(), dataDecoder: .init(),
                                  sqlLogLevel: .trace), as: .sqlite)
        }
        migrations.add(ChatMigrations.all)
    }

    /// PostgreSQL: the database id of the background tasks' pool.
    package static let background = DatabaseID(string: "psql-background")

    /// The database the background tasks use: their own pool on PostgreSQL; on SQLite Fluent's
    /// (its connections only read and take turns at the one write lock anyway).
    package func backgroundDatabase(_ databases: Databases, default db: any Database, logger: Logger, on loop: any EventLoop) -> any Database {
        guard postgresURL != nil, let background = databases.database(Self.background, logger: logger, on: loop) else { return db }
        return quiet(background, logger: logger)
    }

    /// `db` logging at info and above only: Fluent logs every query with its values at debug.
    package func quiet(_ db: any Database, logger: Logger) -> any Database {
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .info)
        return db.logging(to: quiet)
    }

    /// SQLite only: tunes Fluent's connections and makes the WAL checkpointer, a service for
    /// `serve` to run (nil on PostgreSQL).
    package func sqliteUpkeep(databases: Databases, eventLoops: any EventLoopGroup, logger: Logger) async throws -> SQLiteCheckpointer? {
        guard postgresURL == nil else { return nil }
        try await SQLiteTuning.apply(to: databases, on: eventLoops, logger: logger)
        return SQLiteCheckpointer(path: sqliteFile.path, restartBytes: walRestartBytes, logger: logger)
    }

    /// Where uploads' bytes live: the data folder's `directory` on SQLite; PostgreSQL (every node
    /// serves every file), with uploads in progress in `directory`.
    package func openFiles(db: any Database, directory: URL) throws -> any AttachmentFiles {
        let local = try FileStore(directory: directory)
        return postgresURL == nil ? local : DatabaseFileStore(db: db, local: local)
    }

    /// PostgreSQL: the bus to the other nodes on the same database (nil on SQLite).
    package func openBus(db: any Database, logger: Logger) throws -> PostgresBus? {
        guard let postgresURL else { return nil }
        return try PostgresBus(url: postgresURL, db: db, logger: logger)
    }

    /// The one message writer of this node (a service: it stores nothing until it runs): SQLite
    /// through its own connection, PostgreSQL through Fluent's `db` (announcing each transaction's
    /// events on `bus`).
    package func openWriter(db: any Database, bus: PostgresBus?, sink: any EventSink, logger: Logger, window: Duration) -> MessageWriter {
        let store: any BatchStore = postgresURL == nil
            ? SQLiteMessageStore(path: sqliteFile.path) : SQLMessageStore(db: db, bus: bus?.announcer)
        return MessageWriter(store: store, sink: sink, logger: logger, window: window)
    }
}
