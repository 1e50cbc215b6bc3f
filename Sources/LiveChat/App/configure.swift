import ChatDomain
import ChatHTTP
import ChatRealtime
import ChatStorage
import ChatTokens
import ChatWebhooks
import Fluent
import Foundation
import ServiceLifecycle
import Vapor

/// Builds the whole server on `app`: the database (SQLite file, or PostgreSQL with `DATABASE_URL`)
/// and its migrations, the message writer, the chat's rules on them, the realtime and HTTP
/// layers, middleware, routes and commands, and the services `serve` runs (`ServerServices`):
/// none of them runs yet. Tests call it with their own config.
public func configure(_ app: Application, config: AppConfig) async throws {
    try config.validate()
    try FileManager.default.createDirectory(at: config.dataDirectory, withIntermediateDirectories: true)

    let storage = StorageSetup(postgresURL: config.databaseURL, sqliteFile: config.databaseFile, walRestartBytes: config.walRestartMiB << 20,
                               poolPerLoop: config.databasePoolPerLoop, statementTimeoutMillis: config.statementTimeoutMillis)
    try storage.register(on: app.databases, migrations: app.migrations)
    let upkeep = try await storage.sqliteUpkeep(databases: app.databases, eventLoops: app.eventLoopGroup, logger: app.logger)
    if config.autoMigrate {
        // Several nodes starting at once: one migrates, the others wait for it.
        var lock: MigrationLock?
        if let url = config.databaseURL { lock = try await MigrationLock.acquire(url: url, on: app.eventLoopGroup.any(), logger: app.logger) }
        do {
            try await app.autoMigrate()
        } catch {
            await lock?.release()
            throw error
        }
        await lock?.release()
    }

    let tokens = try await JWTTokenService(secret: config.jwtSecret, previousSecret: config.previousJWTSecret, jwksFile: config.jwksFile,
                                           issuer: config.jwksIssuer, audience: config.jwksAudience)
    // Fluent logs each query with its values ("Running query", at debug): the chat's database logs
    // at info and above only, so no message content, secret or password reaches the log.
    let db = storage.quiet(app.db, logger: app.logger)
    let files = try storage.openFiles(db: db, directory: config.mediaDirectory)
    let bus = try storage.openBus(db: db, logger: app.logger)
    let metrics = ChatMetrics()
    let fanout = LocalFanout(metrics: metrics, bus: bus)
    let writer = storage.openWriter(db: db, bus: bus, sink: fanout, logger: app.logger,
                                    window: .microseconds(config.commitWindowMicros))
    // Several nodes on this PostgreSQL: their events reach this node's sockets, and after the
    // listener was down every socket reads what it may have missed.
    bus?.attach(sink: fanout) {
        fanout.sessions.refillAll()
        fanout.feeds.refillAll()
    }
    let stores = FluentStores.make(db: db)
    let presence = Presence(log: writer, store: stores.presence, grace: .seconds(config.presenceGraceSeconds),
                            heartbeat: .seconds(config.presenceHeartbeatSeconds))
    let logger = app.logger
    let background = FluentStores.make(db: storage.backgroundDatabase(app.databases, default: db, logger: app.logger,
                                                                     on: app.eventLoopGroup.any()))
    let indexing = SearchIndexing(store: background.search) { error in
        logger.error("Search indexing failed; trying again", metadata: ["error": "\(LoggedError.describe(error))"])
    }
    let webhookSender = HTTPWebhookSender(allowPrivate: config.webhookAllowPrivate)
    let webhooks = WebhookDispatch(store: background.webhooks, sender: webhookSender) { error in
        logger.error("Webhook round failed; trying again", metadata: ["error": "\(LoggedError.describe(error))"])
    }
    app.webhookSender = webhookSender
    app.lifecycle.use(WebhookClientRelease(sender: webhookSender))
    let chat = Chat(
        stores: stores,
        log: writer,
        files: files,
        tokens: tokens,
        hasher: BcryptHasher(threadPool: app.threadPool, cost: config.bcryptCost),
        presence: presence,
        logins: LoginThrottle(),
        settings: config.chatSettings)
    let retention = RetentionSweep(chat: chat, interval: .seconds(config.retentionSweepSeconds)) { error in
        logger.error("Retention sweep failed; trying again at the next round", metadata: ["error": "\(LoggedError.describe(error))"])
    }
    let http = HTTPServerService(app: app) { await bus?.listening(atMost: .seconds(5)) }
    var services: [any Service] = []
    if let upkeep { services.append(upkeep) }
    services.append(writer)
    if let bus { services.append(bus) }
    services += [
        LoopService(description: "Presence", body: { await presence.run() }),
        LoopService(description: "SearchIndexing", body: { await indexing.run() }),
        LoopService(description: "WebhookDispatch", body: { await webhooks.run() }),
        LoopService(description: "RetentionSweep", body: { await retention.run() }),
        http,
    ]
    app.serverServices = ServerServices(services: services, http: http, writer: writer)
    var limits = config.limits
    // No cap set: as many sockets as the descriptor limit (raised to its hard value) leaves room for.
    if limits.socketsTotal == 0 { limits.socketsTotal = SocketBudget.raiseLimitAndMeasure() }
    app.realtime = Realtime(chat: chat, fanout: fanout,
                            messageBurst: config.socketMessageBurst, messagesPerSecond: config.socketMessagesPerSecond, limits: limits)
    // Connections that send and receive nothing (idle keep-alives, a stalled body or upgrade) are closed.
    app.http.server.configuration.idleTimeout = .seconds(Int64(config.httpIdleTimeout))
    // No client of this API sends a compressed body; the decompressor was a handler every request
    // went through (3.6 % of start-session's CPU, profiled).
    app.http.server.configuration.requestDecompression = .disabled
    app.webSettings = WebSettings(publicURL: config.publicURL, publicVisitorHTTP: config.publicVisitorHTTP, demo: config.demo != .off)

    app.middleware = Middlewares()
    // One line per request at debug (`LOG_LEVEL=debug`): method, path (never the query or a
    // header) and the request id every later line of that request carries.
    app.middleware.use(RouteLoggingMiddleware(logLevel: .debug))
    app.middleware.use(ResponseMetricsMiddleware(metrics: metrics))
    app.middleware.use(CORSMiddleware(configuration: .init(
        allowedOrigin: .originBased, allowedMethods: [.GET, .POST, .PATCH, .DELETE, .OPTIONS],
        allowedHeaders: [.accept, .authorization, .contentType, .origin, .xRequestedWith])))
    app.middleware.use(ErrorEnvelopeMiddleware())
    // The pages: widget, demo, console, compiled in (or from LIVECHAT_PUBLIC_DIR). `/agent` is
    // redirected to `/agent/` (relative links need the slash).
    app.middleware.use(FrameGuardMiddleware())
    if let folder = config.publicDirectory {
        app.middleware.use(FileMiddleware(publicDirectory: folder, defaultFile: "index.html", directoryAction: .redirect))
    } else {
        app.middleware.use(PagesMiddleware())
    }
    app.routes.defaultMaxBodySize = "16kb"
    try routes(app)

    app.asyncCommands.use(CreateBusinessCommand(), as: "create-business")
    app.asyncCommands.use(CreateDepartmentCommand(), as: "create-department")
    app.asyncCommands.use(CreateAgentCommand(), as: "create-agent")
    app.asyncCommands.use(MintTokenCommand(), as: "mint-token")
    app.asyncCommands.use(SeedCommand(), as: "seed")
    app.asyncCommands.use(ServeCommand(config: config), as: "serve", isDefault: true)
}
