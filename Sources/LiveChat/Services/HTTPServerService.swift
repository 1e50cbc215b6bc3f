import ChatRealtime
import ServiceLifecycle
import Synchronization
import Vapor

/// The HTTP server (the API, the sockets, the pages), last of the group to start and first to
/// stop: at shutdown every socket gets 1001 and what it had sent is handed to the writer (and its
/// goodbye to the bus) before the server closes; the services it uses stop after it.
final class HTTPServerService: Service, CustomStringConvertible {
    let description = "HTTPServer"
    private let app: Application
    /// What must be ready before the first request (the bus hearing the other nodes).
    private let ready: @Sendable () async -> Void
    private let started = Mutex(Started())

    private struct Started {
        var outcome: Result<Int, any Error>?
        var waiters: [CheckedContinuation<Int, any Error>] = []
    }

    init(app: Application, ready: @escaping @Sendable () async -> Void) {
        self.app = app
        self.ready = ready
    }

    func run() async throws {
        await ready()
        do {
            try await app.server.start(address: nil)
        } catch {
            announce(.failure(error))
            throw error
        }
        announce(.success(app.http.server.shared.localAddress?.port ?? app.http.server.configuration.port))
        try? await gracefulShutdown()
        await app.realtime.drainSockets()
        await app.server.shutdown()
    }

    /// The port the server listens on, once it does (throws if it could not start).
    func listening() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = started.withLock { started in
                if started.outcome == nil { started.waiters.append(continuation) }
                return started.outcome
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }

    private func announce(_ outcome: Result<Int, any Error>) {
        let waiters = started.withLock { started in
            started.outcome = outcome
            defer { started.waiters = [] }
            return started.waiters
        }
        for waiter in waiters { waiter.resume(with: outcome) }
    }
}
