import ChatStorage
import Logging
import ServiceLifecycle
import UnixSignals
import Vapor

/// Everything that runs beside the requests, as one `ServiceGroup` in dependency order: storage
/// upkeep, the message writer, the bus between nodes, presence, the background tasks (search
/// indexing, webhooks, retention), then the HTTP server. Graceful shutdown (SIGTERM, SIGINT) stops
/// them in reverse: the sockets drain while the bus and the writer still run, the background tasks
/// stop, the bus relays what the draining sockets said and stops, the writer commits its queue and
/// stops, and the checkpointer empties the WAL. `configure` builds them; nothing runs before `serve`
/// (or a test) runs the group, so a command like `mint-token` starts no worker.
struct ServerServices: Sendable {
    /// In start order.
    let services: [any Service]
    let http: HTTPServerService
    /// The writer alone, for the commands that store messages (`seed`).
    let writer: MessageWriter

    /// The group for `serve` (with the signals) or a test (without).
    func group(logger: Logger, signals: [UnixSignal]) -> ServiceGroup {
        var configuration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) },
            gracefulShutdownSignals: signals, cancellationSignals: [], logger: logger)
        // A service that does not stop in time is cancelled. No limit after that: the group would
        // end the process with a fatal error, and what a cancelled service still waits for is
        // bounded already (PostgreSQL's statement timeout, SQLite's busy timeout).
        configuration.maximumGracefulShutdownDuration = .seconds(30)
        return ServiceGroup(configuration: configuration)
    }

    /// Runs `body` with the writer running (and stops it after, its queue committed): for the
    /// commands that store messages.
    func withWriter<T: Sendable>(logger: Logger, _ body: () async throws -> T) async throws -> T {
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [.init(service: writer)], logger: logger))
        let running = Task { try await group.run() }
        do {
            let result = try await body()
            await group.triggerGracefulShutdown()
            try await running.value
            return result
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await running.value
            throw error
        }
    }

    fileprivate struct Key: StorageKey {
        typealias Value = ServerServices
    }
}

extension Application {
    /// The services `configure` built for this application.
    var serverServices: ServerServices {
        get {
            guard let services = storage[ServerServices.Key.self] else { fatalError("configure(_:config:) was not called") }
            return services
        }
        set { storage[ServerServices.Key.self] = newValue }
    }
}
