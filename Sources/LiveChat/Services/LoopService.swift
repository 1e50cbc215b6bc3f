import ServiceLifecycle

/// Work that runs until its task is cancelled (the domain's loops: presence, search indexing,
/// webhooks, retention) as a service: cancelled at graceful shutdown.
struct LoopService: Service, CustomStringConvertible {
    let description: String
    let body: @Sendable () async -> Void

    func run() async {
        await cancelWhenGracefulShutdown { await body() }
    }
}
