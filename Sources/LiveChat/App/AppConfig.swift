import ChatDomain
import ChatRealtime
import Foundation

/// Every setting of the server, read from the environment once at boot and validated there.
public struct AppConfig: Sendable {
    /// HS256 secret for every token the server issues and verifies (at least 32 bytes).
    public var jwtSecret: String
    /// The secret before the last rotation: still verifies the tokens it signed, never signs.
    public var previousJWTSecret: String?
    /// Folder holding the SQLite database, uploaded files and the generated secret.
    public var dataDirectory: URL
    /// Base of the absolute file URLs handed out (`http://host:port`); nil: the address the server listens on.
    public var publicURL: String?
    /// Largest accepted upload, in bytes.
    public var maxUploadBytes: Int
    /// Files and bytes one session may upload in all (0: no quota).
    public var maxUploadsPerSession = 50
    public var maxUploadBytesPerSession = 256 * 1024 * 1024
    /// Per-address rates, socket caps, the outbound bound, heartbeats, trusted proxies.
    package var limits = Limits()
    /// An HTTP connection with nothing read or written this long is closed (seconds).
    public var httpIdleTimeout = 60
    /// Longest accepted text message, in characters (after trimming).
    public var maxTextLength: Int
    /// The seed's literal "public access for visitors": history by session id, uploads by visitor id.
    public var publicVisitorHTTP: Bool
    /// PostgreSQL URL; nil uses the SQLite file in the data folder.
    public var databaseURL: String?
    /// How long a visitor token lasts, in seconds.
    public var visitorTokenTTL: Int
    /// How long a token from `POST /auth/login/` lasts, in seconds.
    public var agentTokenTTL: Int
    /// Messages a socket may send in a burst, and per second after it, before it is closed with 1008.
    public var socketMessageBurst: Int
    public var socketMessagesPerSecond: Int
    /// Cost of the Bcrypt hash of agent passwords.
    public var bcryptCost: Int
    /// Create the demo business, department and agent when `serve` starts (its password is
    /// known and its tokens go to the log): `LIVECHAT_DEMO` unset means only while listening on
    /// loopback.
    public var demo: DemoSetting
    /// Apply pending migrations at boot; when off, operators run `livechat migrate`.
    public var autoMigrate: Bool
    /// A JWKS file whose keys (RS256/ES256, each bound to a business) verify agent tokens from a
    /// merchant's identity provider, with the `iss` and `aud` those tokens must carry.
    public var jwksFile: String?
    public var jwksIssuer: String?
    public var jwksAudience: String?
    /// How long the message writer lets a batch gather before it commits, in microseconds.
    public var commitWindowMicros: Int
    /// A folder whose pages (widget, demo, console) replace the ones compiled into the binary; nil: those.
    public var publicDirectory: String?
    /// How long an agent stays online after its last feed socket closed (a reconnect in time is not noticed).
    public var presenceGraceSeconds: Int
    /// How often each node refreshes its agents' presence rows; a node silent for three of these
    /// is taken for dead and its agents go offline.
    public var presenceHeartbeatSeconds: Int
    /// SQLite: the WAL size, in MiB, past which the checkpointer rewinds the WAL to its start.
    public var walRestartMiB: Int
    /// PostgreSQL: connections of the pool per event loop (one event loop per core).
    public var databasePoolPerLoop: Int
    /// PostgreSQL: the longest a statement may run, in milliseconds, before the database cancels it.
    public var statementTimeoutMillis: Int
    /// Webhooks may reach loopback, private and link-local addresses (a receiver on this machine or network).
    public var webhookAllowPrivate = false
    /// How often the server erases the ended sessions past their business's `retention_days`.
    public var retentionSweepSeconds = 3600

    public init(
        jwtSecret: String,
        dataDirectory: URL,
        publicURL: String? = nil,
        maxUploadBytes: Int = 25 * 1024 * 1024,
        maxTextLength: Int = 5000,
        publicVisitorHTTP: Bool = false,
        databaseURL: String? = nil,
        visitorTokenTTL: Int = 30 * 24 * 3600,
        agentTokenTTL: Int = 12 * 3600,
        socketMessageBurst: Int = 600,
        socketMessagesPerSecond: Int = 100,
        bcryptCost: Int = 10,
        demo: DemoSetting = .off,
        autoMigrate: Bool = true,
        jwksFile: String? = nil,
        presenceGraceSeconds: Int = 10,
        presenceHeartbeatSeconds: Int = 10,
        publicDirectory: String? = nil,
        commitWindowMicros: Int = 2000,
        walRestartMiB: Int = 64,
        databasePoolPerLoop: Int = 1,
        statementTimeoutMillis: Int = 30_000
    ) {
        self.jwtSecret = jwtSecret
        self.dataDirectory = dataDirectory
        self.publicURL = publicURL
        self.maxUploadBytes = maxUploadBytes
        self.maxTextLength = maxTextLength
        self.publicVisitorHTTP = publicVisitorHTTP
        self.databaseURL = databaseURL
        self.visitorTokenTTL = visitorTokenTTL
        self.agentTokenTTL = agentTokenTTL
        self.socketMessageBurst = socketMessageBurst
        self.socketMessagesPerSecond = socketMessagesPerSecond
        self.bcryptCost = bcryptCost
        self.demo = demo
        self.autoMigrate = autoMigrate
        self.jwksFile = jwksFile
        self.presenceGraceSeconds = presenceGraceSeconds
        self.presenceHeartbeatSeconds = presenceHeartbeatSeconds
        self.publicDirectory = publicDirectory
        self.commitWindowMicros = commitWindowMicros
        self.walRestartMiB = walRestartMiB
        self.databasePoolPerLoop = databasePoolPerLoop
        self.statementTimeoutMillis = statementTimeoutMillis
    }

    /// Reads the environment. Throws `ConfigError` with a message naming the setting at fault.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> AppConfig {
        let dataDirectory = URL(fileURLWithPath: env["LIVECHAT_DATA_DIR"].nonEmpty ?? "./data", isDirectory: true)
            .standardizedFileURL
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        let secret: String
        if let given = env["LIVECHAT_JWT_SECRET"].nonEmpty {
            secret = given
        } else if env["DATABASE_URL"].nonEmpty != nil {
            // A secret generated into one node's data folder would sign tokens the other nodes refuse.
            throw ConfigError("LIVECHAT_JWT_SECRET must be set when DATABASE_URL is: every node of a deployment signs and checks tokens with the same secret.")
        } else {
            secret = try SecretFile.loadOrCreate(in: dataDirectory)
        }
        var config = AppConfig(jwtSecret: secret, dataDirectory: dataDirectory)
        config.previousJWTSecret = env["LIVECHAT_JWT_SECRET_PREVIOUS"].nonEmpty
        config.publicURL = env["LIVECHAT_PUBLIC_URL"].nonEmpty.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        config.maxUploadBytes = try int(env, "LIVECHAT_MAX_UPLOAD_BYTES", default: config.maxUploadBytes, range: 1...(2 << 30))
        config.maxUploadsPerSession = try int(env, "LIVECHAT_UPLOADS_PER_SESSION", default: config.maxUploadsPerSession, range: 0...1_000_000)
        config.maxUploadBytesPerSession = try int(env, "LIVECHAT_UPLOAD_BYTES_PER_SESSION", default: config.maxUploadBytesPerSession,
                                                  range: 0...(1 << 40))
        config.limits.startSession.perMinute = try int(env, "LIVECHAT_START_SESSIONS_PER_MINUTE", default: config.limits.startSession.perMinute,
                                                       range: 0...1_000_000)
        config.limits.login.perMinute = try int(env, "LIVECHAT_LOGINS_PER_MINUTE", default: config.limits.login.perMinute, range: 0...1_000_000)
        config.limits.upload.perMinute = try int(env, "LIVECHAT_UPLOADS_PER_MINUTE", default: config.limits.upload.perMinute, range: 0...1_000_000)
        config.limits.socketsPerAddress = try int(env, "LIVECHAT_SOCKETS_PER_ADDRESS", default: config.limits.socketsPerAddress, range: 0...1_000_000)
        config.limits.socketsPerSession = try int(env, "LIVECHAT_SOCKETS_PER_SESSION", default: config.limits.socketsPerSession, range: 0...10_000)
        config.limits.socketsTotal = try int(env, "LIVECHAT_MAX_SOCKETS", default: config.limits.socketsTotal, range: 0...10_000_000)
        config.limits.outboundBytes = try int(env, "LIVECHAT_WS_OUTBOUND_BYTES", default: config.limits.outboundBytes, range: 65_536...(1 << 30))
        config.limits.heartbeatTimeout = try int(env, "LIVECHAT_WS_HEARTBEAT_TIMEOUT", default: config.limits.heartbeatTimeout, range: 3...3600)
        config.httpIdleTimeout = try int(env, "LIVECHAT_HTTP_IDLE_TIMEOUT", default: config.httpIdleTimeout, range: 1...3600)
        if let list = env["LIVECHAT_TRUSTED_PROXIES"].nonEmpty {
            switch TrustedProxies.parse(list) {
            case .success(let proxies): config.limits.trustedProxies = proxies
            case .failure(let bad): throw ConfigError("LIVECHAT_TRUSTED_PROXIES: \"\(bad.text)\" is not an address or CIDR block (e.g. 10.0.0.0/8, fd00::/8).")
            }
        }
        config.maxTextLength = try int(env, "LIVECHAT_MAX_TEXT", default: config.maxTextLength, range: 1...50_000)
        config.publicVisitorHTTP = try bool(env, "LIVECHAT_PUBLIC_VISITOR_HTTP", default: false)
        config.databaseURL = env["DATABASE_URL"].nonEmpty
        config.visitorTokenTTL = try int(env, "LIVECHAT_VISITOR_TOKEN_TTL", default: config.visitorTokenTTL, range: 60...(365 * 24 * 3600))
        config.agentTokenTTL = try int(env, "LIVECHAT_AGENT_TOKEN_TTL", default: config.agentTokenTTL, range: 60...(30 * 24 * 3600))
        config.socketMessageBurst = try int(env, "LIVECHAT_WS_BURST", default: config.socketMessageBurst, range: 1...1_000_000)
        config.socketMessagesPerSecond = try int(env, "LIVECHAT_WS_RATE", default: config.socketMessagesPerSecond, range: 1...1_000_000)
        config.bcryptCost = try int(env, "LIVECHAT_BCRYPT_COST", default: config.bcryptCost, range: 4...16)
        config.demo = env["LIVECHAT_DEMO"].nonEmpty == nil ? .onLoopback : (try bool(env, "LIVECHAT_DEMO", default: false) ? .on : .off)
        config.autoMigrate = try bool(env, "LIVECHAT_AUTO_MIGRATE", default: true)
        config.webhookAllowPrivate = try bool(env, "LIVECHAT_WEBHOOK_ALLOW_PRIVATE", default: false)
        config.retentionSweepSeconds = try int(env, "LIVECHAT_RETENTION_SWEEP_SECONDS", default: config.retentionSweepSeconds, range: 1...86_400)
        config.jwksFile = env["LIVECHAT_JWKS_FILE"].nonEmpty
        config.jwksIssuer = env["LIVECHAT_JWKS_ISSUER"].nonEmpty
        config.jwksAudience = env["LIVECHAT_JWKS_AUDIENCE"].nonEmpty
        config.commitWindowMicros = try int(env, "LIVECHAT_COMMIT_WINDOW_US", default: config.commitWindowMicros, range: 0...100_000)
        config.publicDirectory = env["LIVECHAT_PUBLIC_DIR"].nonEmpty.map { $0.hasSuffix("/") ? $0 : $0 + "/" }
        config.presenceGraceSeconds = try int(env, "LIVECHAT_PRESENCE_GRACE", default: config.presenceGraceSeconds, range: 0...3600)
        config.presenceHeartbeatSeconds = try int(env, "LIVECHAT_PRESENCE_HEARTBEAT", default: config.presenceHeartbeatSeconds,
                                                  range: 1...300)
        config.walRestartMiB = try int(env, "LIVECHAT_WAL_RESTART_MB", default: config.walRestartMiB, range: 1...65_536)
        config.databasePoolPerLoop = try int(env, "LIVECHAT_DB_POOL", default: config.databasePoolPerLoop, range: 1...64)
        config.statementTimeoutMillis = try int(env, "LIVECHAT_DB_STATEMENT_TIMEOUT_MS", default: config.statementTimeoutMillis,
                                                range: 100...3_600_000)
        try config.validate()
        return config
    }

    public func validate() throws {
        guard jwtSecret.utf8.count >= 32 else {
            throw ConfigError("LIVECHAT_JWT_SECRET must be at least 32 bytes long (it has \(jwtSecret.utf8.count)).")
        }
        if let previousJWTSecret, previousJWTSecret.utf8.count < 32 {
            throw ConfigError("LIVECHAT_JWT_SECRET_PREVIOUS must be at least 32 bytes long (it has \(previousJWTSecret.utf8.count)).")
        }
        if let publicURL, URL(string: publicURL)?.scheme.map({ ["http", "https"].contains($0) }) != true {
            throw ConfigError("LIVECHAT_PUBLIC_URL must be an absolute http(s) URL, got \"\(publicURL)\".")
        }
        if httpIdleTimeout * 3 <= limits.heartbeatTimeout {
            throw ConfigError("LIVECHAT_HTTP_IDLE_TIMEOUT (\(httpIdleTimeout) s) must be longer than a third of LIVECHAT_WS_HEARTBEAT_TIMEOUT (\(limits.heartbeatTimeout) s): quiet sockets are pinged that often, and an idle connection is closed.")
        }
        if jwksFile != nil, jwksIssuer == nil || jwksAudience == nil {
            throw ConfigError("LIVECHAT_JWKS_FILE needs LIVECHAT_JWKS_ISSUER and LIVECHAT_JWKS_AUDIENCE: the iss and aud its tokens must carry.")
        }
        if let jwksFile, !FileManager.default.isReadableFile(atPath: jwksFile) {
            throw ConfigError("LIVECHAT_JWKS_FILE names a file that cannot be read: \(jwksFile).")
        }
        if let databaseURL, !(databaseURL.hasPrefix("postgres://") || databaseURL.hasPrefix("postgresql://")) {
            throw ConfigError("DATABASE_URL must be a postgres:// URL.")
        }
    }

    /// What the chat's rules need of these settings.
    var chatSettings: ChatSettings {
        ChatSettings(maxTextLength: maxTextLength, maxUploadBytes: maxUploadBytes, maxUploadsPerSession: maxUploadsPerSession,
                     maxUploadBytesPerSession: maxUploadBytesPerSession,
                     visitorTokenLifetime: TimeInterval(visitorTokenTTL), agentTokenLifetime: TimeInterval(agentTokenTTL))
    }

    var mediaDirectory: URL { dataDirectory.appendingPathComponent("media/chat_attachments", isDirectory: true) }
    var databaseFile: URL { dataDirectory.appendingPathComponent("livechat.sqlite") }

    private static func int(_ env: [String: String], _ key: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let raw = env[key].nonEmpty else { return value }
        guard let parsed = Int(raw), range.contains(parsed) else {
            throw ConfigError("\(key) must be an integer in \(range.lowerBound)...\(range.upperBound), got \"\(raw)\".")
        }
        return parsed
    }

    private static func bool(_ env: [String: String], _ key: String, default value: Bool) throws -> Bool {
        guard let raw = env[key].nonEmpty?.lowercased() else { return value }
        switch raw {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigError("\(key) must be 1 or 0, got \"\(raw)\".")
        }
    }
}

/// Whether `serve` creates the demo.
public enum DemoSetting: Sendable, Equatable {
    case off
    /// Only while the server listens on a loopback address (the default).
    case onLoopback
    /// Wherever it listens (`LIVECHAT_DEMO=1`).
    case on
}

public struct ConfigError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension Optional where Wrapped == String {
    var nonEmpty: String? {
        guard let self, !self.isEmpty else { return nil }
        return self
    }
}
