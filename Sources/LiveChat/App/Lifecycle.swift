import ChatDomain
import ChatRealtime
import ChatStorage
import ChatWebhooks
import Vapor

/// Shutdown drains: every socket gets 1001, the frames already received are handled, and the
/// writer commits everything queued before the database closes. Nothing accepted is lost.
struct ShutdownDrain: LifecycleHandler {
    let writer: MessageWriter

    private struct Key: StorageKey {
        typealias Value = ShutdownDrain
    }

    /// The drain `configure` installed on `app` (tests run it before stopping the HTTP server, as `serve` does).
    static func installed(on app: Application) -> ShutdownDrain? {
        app.storage[Key.self]
    }

    static func install(writer: MessageWriter, on app: Application) {
        let drain = ShutdownDrain(writer: writer)
        app.storage[Key.self] = drain
        app.lifecycle.use(drain)
    }

    func shutdownAsync(_ application: Application) async {
        await application.realtime.drainSockets()
        await writer.flush()
        writer.stop()
    }
}

/// SQLite's WAL checkpointer, stopped (with a last TRUNCATE) after the writer.
struct StorageUpkeep: LifecycleHandler {
    let checkpointer: SQLiteCheckpointer

    func shutdown(_ application: Application) {
        checkpointer.stop()
    }
}

/// The listener between nodes, stopped last (after the writer has announced its last events).
struct BusShutdown: LifecycleHandler {
    let bus: PostgresBus

    func shutdown(_ application: Application) {
        bus.stop()
    }
}

/// The presence heartbeat, stopped with the server (its rows then go stale and another node, or
/// this one at its next start, sweeps them).
struct PresenceShutdown: LifecycleHandler {
    let presence: Presence

    func shutdownAsync(_ application: Application) async {
        await presence.stop()
    }
}

/// The search indexer, stopped before the database closes (what it had not indexed yet is
/// indexed at the next start: it goes on from the feed).
struct SearchShutdown: LifecycleHandler {
    let indexing: SearchIndexing

    func shutdownAsync(_ application: Application) async {
        await indexing.stop()
    }
}

/// The webhook deliveries, stopped before the database closes (a try cut short is tried again,
/// by this node at its next start or by another, when its lease runs out).
struct WebhookShutdown: LifecycleHandler {
    let dispatch: WebhookDispatch
    let sender: HTTPWebhookSender

    func shutdownAsync(_ application: Application) async {
        await dispatch.stop()
        await sender.shutdown()
    }
}

/// The retention sweep, stopped before the database closes.
struct RetentionShutdown: LifecycleHandler {
    let sweep: RetentionSweep

    func shutdownAsync(_ application: Application) async {
        await sweep.stop()
    }
}
