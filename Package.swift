// swift-tools-version:6.0
import PackageDescription

// One target per layer; dependencies point one way (docs/ARCHITECTURE.md):
//
//   livechat (executable) → LiveChat (app: settings, wiring, commands)
//   LiveChat → ChatHTTP → ChatRealtime → ChatDomain
//   LiveChat → ChatStorage → ChatDomain        (no transport: no Vapor, no sockets)
//   LiveChat → ChatTokens  → ChatDomain        (JWTs)
//   LiveChat → ChatWebhooks → ChatDomain       (webhook deliveries over HTTP)
//
// ChatDomain holds the rules and the ports the others implement, and imports Foundation only.
let package = Package(
    name: "livechat",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "livechat", targets: ["livechat"]),
        .executable(name: "LiveChatBench", targets: ["LiveChatBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        // Pinned to the 1.13 line: ChatCSQLite declares functions of its SQLite copy (see its header).
        .package(url: "https://github.com/vapor/sqlite-nio.git", .upToNextMinor(from: "1.13.2")),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/vapor/websocket-kit.git", from: "2.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/mattpolzin/OpenAPIKit.git", from: "6.4.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // The rules: sessions, messages, attachments, identities, assignment, presence, read
        // markers, the errors, and the ports storage, tokens and fan-out implement.
        .target(name: "ChatDomain"),
        // SQLite's C API as linked by sqlite-nio (declarations only).
        .target(name: "ChatCSQLite"),
        // The SQLite and PostgreSQL stores, migrations, the message writer, the file store, the
        // PostgreSQL bus between nodes (LISTEN/NOTIFY).
        .target(
            name: "ChatStorage",
            dependencies: [
                "ChatDomain", "ChatCSQLite",
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Issuing and verifying JWTs.
        .target(
            name: "ChatTokens",
            dependencies: ["ChatDomain", .product(name: "JWTKit", package: "jwt-kit")]
        ),
        // The sockets: handshake, frames, the session hub, the fan-out, shutdown drain, metrics.
        .target(
            name: "ChatRealtime",
            dependencies: [
                "ChatDomain",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The HTTP API: one controller per resource, error → status mapping, the pages.
        .target(
            name: "ChatHTTP",
            dependencies: [
                "ChatDomain", "ChatRealtime",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "OpenAPIKit", package: "OpenAPIKit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            plugins: ["EmbedPages"]
        ),
        // Webhook deliveries over HTTP: signed, redirects not followed, private addresses refused.
        .target(
            name: "ChatWebhooks",
            dependencies: [
                "ChatDomain",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Settings, wiring (configure), routes, commands.
        .target(
            name: "LiveChat",
            dependencies: [
                "ChatDomain", "ChatStorage", "ChatTokens", "ChatRealtime", "ChatHTTP", "ChatWebhooks",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "livechat",
            dependencies: [
                "LiveChat",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Compiles Public/ into ChatHTTP (EmbeddedPages+Generated.swift) at build time.
        .executableTarget(name: "PageEmbedder"),
        .plugin(name: "EmbedPages", capability: .buildTool(), dependencies: ["PageEmbedder"]),
        .executableTarget(
            name: "LiveChatBench",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "WebSocketKit", package: "websocket-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "LiveChatTests",
            dependencies: [
                "LiveChat", "ChatDomain", "ChatStorage", "ChatTokens", "ChatRealtime", "ChatHTTP", "ChatWebhooks",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "WebSocketKit", package: "websocket-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
