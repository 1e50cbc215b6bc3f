import ChatDomain
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// A command reached the writer after it stopped (the server is shutting down).
struct WriterStopped: Error {}

/// The one writer of messages, new sessions, session ends and feed events (the domain's `EventLog`): stores in
/// batches (group commit), then hands each stored event to the `EventSink` in commit order. Nothing
/// is broadcast before it is stored, and a feed's cursors are handed out in the order they were
/// numbered. The rules each batch follows are the domain's (`MessageFlow.swift`).
///
/// A service of the server's group: `run` takes everything queued, stores it with the store's
/// statements and hands the events to the fan-out, then waits (suspended, woken by the next
/// command) for more: one wake-up per batch, however large. Queuing is a lock, so a socket's event
/// loop hands a message over directly. On SQLite `run` goes on the store's own thread (its C API
/// blocks); on PostgreSQL it is async end to end. At shutdown it commits what is queued, then ends.
package final class MessageWriter: EventLog, Service {
    private enum Command: Sendable {
        case append(PendingMessage)
        case end(UUID, CheckedContinuation<Date?, any Error>)
        case feed(FeedDraft, CheckedContinuation<Int, any Error>)
        case open(SessionOpening, CheckedContinuation<SessionOpened, any Error>)
    }

    private typealias Opening = (opening: SessionOpening, continuation: CheckedContinuation<SessionOpened, any Error>)

    private struct Queue {
        var commands: [Command] = []
        /// When the oldest queued command arrived (its wait bounds the gathering window).
        var oldest = ContinuousClock.now
        /// Commands taken by `run` and not yet published.
        var inFlight = 0
        var stopping = false
        /// `run` has ended: nothing queued now would be stored.
        var finished = false
        /// `run`, waiting for a first command.
        var waiter: CheckedContinuation<Void, Never>?
        /// `flush` callers, waiting for the queue to be empty and nothing in flight.
        var flushers: [CheckedContinuation<Void, Never>] = []

        var isIdle: Bool { commands.isEmpty && inFlight == 0 }
    }

    static let maxBatch = 256

    private let store: any BatchStore
    private let sink: any EventSink
    private let logger: Logger
    /// How long a batch may gather before the writer commits it. A commit and its fan-out cost
    /// about the same for one message as for fifty (WAL pages, wake-ups), so under load the
    /// window turns many small commits into a few larger ones; a lone message waits at most this
    /// long. Measured in docs/BENCHMARKS.md.
    private let window: Duration
    private let queue = Mutex(Queue())
    private let failing = Mutex(false)

    package var isFailing: Bool { failing.withLock { $0 } }

    init(store: any BatchStore, sink: any EventSink, logger: Logger, window: Duration = .zero) {
        self.store = store
        self.sink = sink
        self.logger = logger
        self.window = window
    }

    /// Queues a message; the sender learns the outcome through the broadcast or its socket.
    package func append(_ message: PendingMessage) {
        enqueue(.append(message))
    }

    /// Ends a session after every message queued before; returns when it ended, nil if it had already.
    package func end(session: UUID) async throws -> Date? {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(.end(session, continuation))
        }
    }

    /// Stores a feed event after everything queued before and publishes it; returns its cursor.
    @discardableResult
    package func publish(_ draft: FeedDraft) async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(.feed(draft, continuation))
        }
    }

    /// Stores a new session with its feed event after everything queued before; starts queued
    /// together share a transaction.
    package func open(_ opening: SessionOpening) async throws -> SessionOpened {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(.open(opening, continuation))
        }
    }

    /// Returns once everything queued so far is committed and published (at once when the writer has ended).
    package func flush() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = queue.withLock { queue in
                guard !queue.isIdle, !queue.finished else { return true }
                queue.flushers.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Stores what is queued, batch after batch, until shutdown; then commits what is left,
    /// releases the store and ends.
    package func run() async {
        await store.run {
            await withTaskCancellationHandler {
                await withGracefulShutdownHandler {
                    while let taken = await take() {
                        await handle(taken)
                        let flushers = queue.withLock { queue in
                            queue.inFlight = 0
                            guard queue.commands.isEmpty else { return [CheckedContinuation<Void, Never>]() }
                            defer { queue.flushers = [] }
                            return queue.flushers
                        }
                        for flusher in flushers { flusher.resume() }
                    }
                } onGracefulShutdown: {
                    self.stop()
                }
            } onCancel: {
                self.stop()
            }
            store.close()
        }
    }

    /// Asks `run` to end once the queue is empty.
    private func stop() {
        let waiter = queue.withLock { queue in
            queue.stopping = true
            defer { queue.waiter = nil }
            return queue.waiter
        }
        waiter?.resume()
    }

    /// Waits for a first command, lets a batch gather for the window, and takes all of it; nil
    /// once stopping with nothing left (the writer is then finished).
    private func take() async -> [Command]? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = queue.withLock { queue in
                guard queue.commands.isEmpty, !queue.stopping else { return true }
                queue.waiter = continuation
                return false
            }
            if now { continuation.resume() }
        }
        if window > .zero {
            let left = queue.withLock { queue in queue.stopping ? .zero : ContinuousClock.now.duration(to: queue.oldest + window) }
            if left > .zero { await store.gather(for: left) }
        }
        let (taken, flushers) = queue.withLock { queue -> ([Command]?, [CheckedContinuation<Void, Never>]) in
            guard !queue.commands.isEmpty else {
                queue.finished = true
                defer { queue.flushers = [] }
                return (nil, queue.flushers)
            }
            let taken = queue.commands
            queue.commands = []
            queue.inFlight = taken.count
            return (taken, [])
        }
        for flusher in flushers { flusher.resume() }
        return taken
    }

    private func enqueue(_ command: Command) {
        let (accepted, waiter) = queue.withLock { queue -> (Bool, CheckedContinuation<Void, Never>?) in
            guard !queue.finished else { return (false, nil) }
            if queue.commands.isEmpty { queue.oldest = .now }
            queue.commands.append(command)
            defer { queue.waiter = nil }
            return (true, queue.waiter)
        }
        guard accepted else { return refuse(command) }
        waiter?.resume()
    }

    /// Answers a command that came after the writer stopped.
    private func refuse(_ command: Command) {
        switch command {
        case .append(let message): message.origin?.refused(.shuttingDown)
        case .end(_, let continuation): continuation.resume(throwing: WriterStopped())
        case .feed(_, let continuation): continuation.resume(throwing: WriterStopped())
        case .open(_, let continuation): continuation.resume(throwing: WriterStopped())
        }
    }

    /// Runs the commands in order: consecutive messages are stored as one batch, consecutive new
    /// sessions as another.
    private func handle(_ taken: [Command]) async {
        var batch: [PendingMessage] = []
        var openings: [Opening] = []
        func flush() async {
            if !batch.isEmpty { await commit(batch) }
            if !openings.isEmpty { await commit(openings) }
            batch = []
            openings = []
        }
        for command in taken {
            switch command {
            case .append(let message):
                if !openings.isEmpty { await flush() }
                batch.append(message)
                if batch.count == Self.maxBatch { await flush() }
            case .open(let opening, let continuation):
                if !batch.isEmpty { await flush() }
                openings.append((opening, continuation))
                if openings.count == Self.maxBatch { await flush() }
            case .end(let session, let continuation):
                await flush()
                do { continuation.resume(returning: try await performEnd(session)) } catch { continuation.resume(throwing: error) }
            case .feed(let draft, let continuation):
                await flush()
                do { continuation.resume(returning: try await performFeed(draft)) } catch { continuation.resume(throwing: error) }
            }
        }
        await flush()
    }

    /// Stores new sessions in one transaction, hands out their feed events in order, then answers.
    private func commit(_ openings: [Opening]) async {
        let results: [Result<SessionOpened, any Error>]
        do {
            results = try await store.open(openings.map(\.opening), at: WireTime.now())
        } catch {
            logger.warning("\(openings.count) new sessions not stored", metadata: ["error": "\(LoggedError.describe(error))"])
            for opening in openings { opening.continuation.resume(throwing: error) }
            return
        }
        var events: [CommittedEvent] = []
        for (opening, result) in zip(openings, results) {
            if case .success(.created(let cursor)) = result { events.append(.feed(opening.opening.draft, cursor: cursor)) }
        }
        if !events.isEmpty { sink.deliver(events) }
        for (opening, result) in zip(openings, results) { opening.continuation.resume(with: result) }
    }

    private func commit(_ batch: [PendingMessage]) async {
        do {
            MessageFlow.handOut(try await store.store(batch), to: sink)
            failing.withLock { $0 = false }
        } catch {
            logger.warning("batch of \(batch.count) messages failed, storing one by one", metadata: ["error": "\(LoggedError.describe(error))"])
            for message in batch {
                do {
                    MessageFlow.handOut(try await store.store([message]), to: sink)
                    failing.withLock { $0 = false }
                } catch {
                    failing.withLock { $0 = true }
                    logger.error("message not stored", metadata: ["session": "\(message.sessionID)", "error": "\(LoggedError.describe(error))"])
                    message.origin?.refused(.notStored)
                }
            }
        }
    }

    private func performEnd(_ session: UUID) async throws -> Date? {
        let now = WireTime.now()
        guard let ended = try await store.end(session: session, at: now) else { return nil }
        sink.deliver([.sessionEnded(session: session, business: ended.draft.business, at: now, cursor: ended.cursor,
                                    feedPayload: ended.draft.payload)])
        return now
    }

    private func performFeed(_ draft: FeedDraft) async throws -> Int {
        let cursor = try await store.insertFeed(draft, at: WireTime.now())
        sink.deliver([.feed(draft, cursor: cursor)])
        return cursor
    }
}
