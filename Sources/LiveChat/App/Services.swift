import Fluent
import Vapor

/// The long-lived parts of the server, built once in `configure` and shared by every request.
struct ChatServices: Sendable {
    let config: AppConfig
    let tokens: TokenService
    /// The chat sockets of each session, and the agent feeds of each business, on this node.
    let sessions: TopicHub
    let feeds: TopicHub
    let fanout: any Fanout
    let presence: Presence
    let logins: LoginThrottle
    let loops: LoopCounter
    let writer: MessageWriter
    let files: FileStore
    let metrics: ChatMetrics
}

extension Application {
    private struct ChatServicesKey: StorageKey {
        typealias Value = ChatServices
    }

    var chat: ChatServices {
        get {
            guard let services = storage[ChatServicesKey.self] else {
                fatalError("configure(_:config:) has not run: the services are missing")
            }
            return services
        }
        set { storage[ChatServicesKey.self] = newValue }
    }
}

extension Request {
    var chat: ChatServices { application.chat }
}
