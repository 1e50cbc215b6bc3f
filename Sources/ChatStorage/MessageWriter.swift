import ChatDomain
import Foundation
import Logging
import NIOConcurrencyHelpers

/// A command reached the writer after it stopped (the server is shutting down).
struct WriterStopped: Error {}

/// The one writer of messages, new sessions, session ends and feed events (the domain's `EventLog`): stores in
/// batches (group commit), then hands each stored event to the `EventSink` in commit order. Nothing
/// is broadcast before it is stored, and a feed's cursors are handed out in the order they were
/// numbered. The rules each batch follows are the domain's (`MessageFlow.swift`).
///
/// The writer is a thread of its own. Queuing is a lock and a signal, so a socket's event loop hands
/// a message over directly; the thread takes everything queued, stores it with the store's
/// statements and hands the events to the fan-out: one wake-up per batch, however large.
package final class MessageWriter: EventLog {
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
        /// Commands taken by the thread and not yet published.
        var inFlight = 0
        var stopping = false
        /// The thread has ended: nothing queued now would be stored.
        var finished = false
    }

    static let maxBatch = 256
    /// Queued commands that end the gathering window early.
    static let gatherTarget = 64

    private let store: any BatchStore
    private let sink: any EventSink
    private let logger: Logger
    /// How long a batch may gather before the writer commits it. A commit and its fan-out cost
    /// about the same for one message as for fifty (WAL pages, thread wake-ups), so under load
    /// the window turns many small commits into a few larger ones; a lone message waits at most
    /// this long. Measured in docs/BENCHMARKS.md.
    private let window: Duration
    private let queue = GuardedQueue()
    private let failing = NIOLockedValueBox(false)

    package var isFailing: Bool { failing.withLockedValue { $0 } }

    /// The queue and the condition the thread waits on. Safe to share: `state` is only read or
    /// written between `condition.lock()` and `condition.unlock()`.
    private final class GuardedQueue: @unchecked Sendable {
        let condition = NSCondition()
        var state = Queue()
    }

    init(store: any BatchStore, sink: any EventSink, logger: Logger, window: Duration = .zero) {
        self.store = store
        self.sink = sink
        self.logger = logger
        self.window = window
        let thread = Thread { [self] in run() }
        thread.name = "livechat-writer"
        thread.start()
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

    /// Returns once everything queued so far is committed and published.
    package func flush() async {
        while busy {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Lets the thread finish what is queued, release the store and end (at shutdown); returns
    /// once it has (or after 10 seconds).
    package func stop() {
        let deadline = Date(timeIntervalSinceNow: 10)
        queue.condition.lock()
        queue.state.stopping = true
        queue.condition.broadcast()
        while !queue.state.finished, queue.condition.wait(until: deadline) {}
        queue.condition.unlock()
    }

    private var busy: Bool {
        queue.condition.lock()
        defer { queue.condition.unlock() }
        return queue.state.inFlight > 0 || !queue.state.commands.isEmpty
    }

    private func enqueue(_ command: Command) {
        queue.condition.lock()
        guard !queue.state.finished else {
            queue.condition.unlock()
            refuse(command)
            return
        }
        if queue.state.commands.isEmpty { queue.state.oldest = .now }
        queue.state.commands.append(command)
        // The thread waits for a first command, then (within a window) for enough of them.
        let count = queue.state.commands.count
        if count == 1 || count == Self.gatherTarget { queue.condition.signal() }
        queue.condition.unlock()
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

    /// The thread: waits for work, lets a batch gather, takes all of it, stores and publishes
    /// it; ends once stopped and empty.
    private func run() {
        queue.condition.lock()
        while true {
            while queue.state.commands.isEmpty, !queue.state.stopping { queue.condition.wait() }
            if queue.state.commands.isEmpty {  // stopping, and nothing left
                store.close()
                queue.state.finished = true
                queue.condition.broadcast()
                queue.condition.unlock()
                return
            }
            if window > .zero {
                let deadline = queue.state.oldest + window
                while queue.state.commands.count < Self.gatherTarget, !queue.state.stopping {
                    let left = ContinuousClock.now.duration(to: deadline)
                    guard left > .zero else { break }
                    _ = queue.condition.wait(until: Date(timeIntervalSinceNow: Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18))
                }
            }
            let taken = queue.state.commands
            queue.state.commands = []
            queue.state.inFlight = taken.count
            queue.condition.unlock()
            handle(taken)
            queue.condition.lock()
            queue.state.inFlight = 0
        }
    }

    /// Runs the commands in order: consecutive messages are stored as one batch, consecutive new
    /// sessions as another.
    private func handle(_ taken: [Command]) {
        var batch: [PendingMessage] = []
        var openings: [Opening] = []
        func flush() {
            if !batch.isEmpty { commit(batch) }
            if !openings.isEmpty { commit(openings) }
            batch = []
            openings = []
        }
        for command in taken {
            switch command {
            case .append(let message):
                if !openings.isEmpty { flush() }
                batch.append(message)
                if batch.count == Self.maxBatch { flush() }
            case .open(let opening, let continuation):
                if !batch.isEmpty { flush() }
                openings.append((opening, continuation))
                if openings.count == Self.maxBatch { flush() }
            case .end(let session, let continuation):
                flush()
                continuation.resume(with: Result { try performEnd(session) })
            case .feed(let draft, let continuation):
                flush()
                continuation.resume(with: Result { try performFeed(draft) })
            }
        }
        flush()
    }

    /// Stores new sessions in one transaction, hands out their feed events in order, then answers.
    private func commit(_ openings: [Opening]) {
        let results: [Result<SessionOpened, any Error>]
        do {
            results = try store.open(openings.map(\.opening), at: WireTime.now())
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

    private func commit(_ batch: [PendingMessage]) {
        do {
            MessageFlow.handOut(try store.store(batch), to: sink)
            failing.withLockedValue { $0 = false }
        } catch {
            logger.warning("batch of \(batch.count) messages failed, storing one by one", metadata: ["error": "\(LoggedError.describe(error))"])
            for message in batch {
                do {
                    MessageFlow.handOut(try store.store([message]), to: sink)
                    failing.withLockedValue { $0 = false }
                } catch {
                    failing.withLockedValue { $0 = true }
                    logger.error("message not stored", metadata: ["session": "\(message.sessionID)", "error": "\(LoggedError.describe(error))"])
                    message.origin?.refused(.notStored)
                }
            }
        }
    }

    private func performEnd(_ session: UUID) throws -> Date? {
        let now = WireTime.now()
        guard let ended = try store.end(session: session, at: now) else { return nil }
        sink.deliver([.sessionEnded(session: session, business: ended.draft.business, at: now, cursor: ended.cursor,
                                    feedPayload: ended.draft.payload)])
        return now
    }

    private func performFeed(_ draft: FeedDraft) throws -> Int {
        let cursor = try store.insertFeed(draft, at: WireTime.now())
        sink.deliver([.feed(draft, cursor: cursor)])
        return cursor
    }
}
