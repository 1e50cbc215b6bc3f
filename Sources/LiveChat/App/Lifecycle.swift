import ChatDomain
import ChatRealtime
import ChatStorage
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
