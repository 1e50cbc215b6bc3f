import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import NIOCore
import Vapor

/// Builds the whole server on `app`: database (SQLite file, or PostgreSQL with `DATABASE_URL`),
/// migrations, services, middleware, routes and commands. Tests call it with their own config.
public func configure(_ app: Application, config: AppConfig) async throws {
    try config.validate()
    try FileManager.default.createDirectory(at: config.dataDirectory, withIntermediateDirectories: true)

    if let url = config.databaseURL {
        var postgres = try SQLPostgresConfiguration(url: url)
        postgres.coreConfiguration.tls = .disable
        app.databases.use(.postgres(configuration: postgres), as: .psql)
    } else {
        app.databases.use(.sqlite(.file(config.databaseFile.path), connectionPoolTimeout: .seconds(30)), as: .sqlite)
    }
    app.migrations.add(Migration001CreateTenancy(), Migration002CreateSessions(), Migration003CreateMessages(), Migration004AgentSide())
    if config.databaseURL == nil {
        try await SQLiteTuning.apply(to: app)
        app.lifecycle.use(SQLiteCheckpointer(path: config.databaseFile.path, restartBytes: config.walRestartMiB << 20, logger: app.logger))
    }
    if config.autoMigrate { try await app.autoMigrate() }

    let sessions = TopicHub()
    let feeds = TopicHub()
    let fanout = LocalFanout(sessions: sessions, feeds: feeds)
    let store: any MessageStore = config.databaseURL == nil
        ? SQLiteMessageStore(path: config.databaseFile.path) : SQLMessageStore(db: app.db)
    let metrics = ChatMetrics()
    let writer = MessageWriter(store: store, fanout: fanout, metrics: metrics, logger: app.logger, window: .microseconds(config.commitWindowMicros))
    app.chat = ChatServices(
        config: config,
        tokens: try await TokenService(secret: config.jwtSecret, jwksFile: config.jwksFile),
        sessions: sessions,
        feeds: feeds,
        fanout: fanout,
        presence: Presence(writer: writer, grace: .seconds(config.presenceGraceSeconds)),
        logins: LoginThrottle(bcryptCost: config.bcryptCost),
        loops: LoopCounter(),
        writer: writer,
        files: try FileStore(directory: config.mediaDirectory),
        metrics: metrics)

    app.middleware = Middlewares()
    app.middleware.use(ResponseMetricsMiddleware(metrics: metrics))
    app.middleware.use(CORSMiddleware(configuration: .init(
        allowedOrigin: .originBased, allowedMethods: [.GET, .POST, .OPTIONS],
        allowedHeaders: [.accept, .authorization, .contentType, .origin, .xRequestedWith])))
    app.middleware.use(ErrorEnvelopeMiddleware())
    // The pages: widget, demo, console. `/agent` is redirected to `/agent/` (relative links need the slash).
    app.middleware.use(FileMiddleware(
        publicDirectory: config.publicDirectory ?? app.directory.publicDirectory, defaultFile: "index.html",
        directoryAction: .redirect))
    app.routes.defaultMaxBodySize = "16kb"
    try routes(app)

    app.asyncCommands.use(CreateBusinessCommand(), as: "create-business")
    app.asyncCommands.use(CreateDepartmentCommand(), as: "create-department")
    app.asyncCommands.use(CreateAgentCommand(), as: "create-agent")
    app.asyncCommands.use(MintTokenCommand(), as: "mint-token")
    app.lifecycle.use(ShutdownDrain())

    if config.seedDemo { app.lifecycle.use(DemoBanner()) }
}
