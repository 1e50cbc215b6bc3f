import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The one writer of messages, session ends and feed events: stores in small batches (group
/// commit), then publishes each stored event in commit order. Nothing is broadcast before it is
/// stored, and a feed's cursors are published in the order they were numbered.
///
/// Queuing is synchronous (a lock, no actor hop), so a socket's event loop can hand a message
/// over directly; one drain task at a time takes the queue and does the storing.
final class MessageWriter: Sendable {
    private enum Command: Sendable {
        case append(PendingMessage)
        case end(UUID, CheckedContinuation<Date?, any Error>)
        case feed(FeedDraft, CheckedContinuation<Int, any Error>)
    }

    static let maxBatch = 256

    private let store: any MessageStore
    private let fanout: any Fanout
    private let logger: Logger
    /// How long the writer lets a batch gather before committing it (off by default). A commit
    /// costs about the same for one message or a hundred (statements, WAL pages, thread hops); the
    /// window trades latency for fewer commits. Measured in docs/BENCHMARKS.md: at 1,000 msg/s a
    /// 2 ms window cut server CPU per message by a third but raised p99.
    private let window: Duration
    private let state = NIOLockedValueBox<(queue: [Command], draining: Bool)>(([], false))

    init(store: any MessageStore, fanout: any Fanout, logger: Logger, window: Duration = .zero) {
        self.store = store
        self.fanout = fanout
        self.logger = logger
        self.window = window
    }

    /// Queues a message; the sender learns the outcome through the broadcast or its socket.
    func append(_ message: PendingMessage) {
        enqueue(.append(message))
    }

    /// Ends a session after every message queued before; returns when it ended, nil if it had already.
    func end(session: UUID) async throws -> Date? {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(.end(session, continuation))
        }
    }

    /// Stores a feed event after everything queued before and publishes it; returns its cursor.
    @discardableResult
    func publish(_ draft: FeedDraft) async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(.feed(draft, continuation))
        }
    }

    /// Returns once everything queued so far is committed and published.
    func flush() async {
        while state.withLockedValue({ $0.draining || !$0.queue.isEmpty }) {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    private func enqueue(_ command: Command) {
        let start = state.withLockedValue { state -> Bool in
            state.queue.append(command)
            guard !state.draining else { return false }
            state.draining = true
            return true
        }
        if start { Task { await drain() } }
    }

    /// Takes what is queued; when nothing is, the drain ends (in the same critical section, so a
    /// command queued meanwhile starts a new one).
    private func take() -> [Command]? {
        state.withLockedValue { state in
            guard !state.queue.isEmpty else {
                state.draining = false
                return nil
            }
            defer { state.queue = [] }
            return state.queue
        }
    }

    private func drain() async {
        if window > .zero, state.withLockedValue({ $0.queue.count }) < Self.maxBatch { try? await Task.sleep(for: window) }
        while let taken = take() {
            var batch: [PendingMessage] = []
            for command in taken {
                if case .append(let message) = command {
                    batch.append(message)
                    if batch.count == Self.maxBatch {
                        await commit(batch)
                        batch = []
                    }
                    continue
                }
                if !batch.isEmpty {
                    await commit(batch)
                    batch = []
                }
                switch command {
                case .end(let session, let continuation):
                    do { continuation.resume(returning: try await performEnd(session)) } catch { continuation.resume(throwing: error) }
                case .feed(let draft, let continuation):
                    do { continuation.resume(returning: try await performFeed(draft)) } catch { continuation.resume(throwing: error) }
                case .append:
                    break
                }
            }
            if !batch.isEmpty { await commit(batch) }
            if window > .zero, state.withLockedValue({ $0.queue.count }) < Self.maxBatch { try? await Task.sleep(for: window) }
        }
    }

    private func commit(_ batch: [PendingMessage]) async {
        do {
            await publish(try await store.store(batch))
        } catch {
            logger.warning("batch of \(batch.count) messages failed, storing one by one", metadata: ["error": "\(String(reflecting: error))"])
            for message in batch {
                do {
                    await publish(try await store.store([message]))
                } catch {
                    logger.error("message not stored", metadata: ["session": "\(message.sessionID)", "error": "\(String(reflecting: error))"])
                    message.origin?.sendError("Your message could not be stored. Please send it again.")
                }
            }
        }
    }

    /// Publishes a committed batch in one go (its events in commit order).
    private func publish(_ outcomes: [BatchPlan.Outcome]) async {
        let allocator = ByteBufferAllocator()
        var events: [HubEvent] = []
        for outcome in outcomes {
            switch outcome {
            case .stored(let message, let json, let business, let cursor, let feedPayload):
                events.append(HubEvent(topic: .session(message.sessionID), kind: .numbered, number: message.seq,
                                       payload: allocator.buffer(string: json)))
                events.append(HubEvent(topic: .feed(business: business), kind: .numbered, number: cursor,
                                       payload: FeedDraft.frame(payload: Data(feedPayload.utf8), cursor: cursor)))
            case .duplicate(let message, let origin):
                origin?.send(ByteBufferAllocator().buffer(string: message.json))
            case .sessionEnded(let origin):
                origin?.sendError(ServerFrame.endedError)
                origin?.close(code: .sessionEnded)
            }
        }
        await fanout.publish(events)
    }

    private func performEnd(_ session: UUID) async throws -> Date? {
        let now = WireTime.now()
        guard let ended = try await store.end(session: session, at: now) else { return nil }
        let payload = JSONFrame.encode(ServerFrame.sessionEnded(session, at: now), allocator: ByteBufferAllocator())
        await fanout.publish([
            HubEvent(topic: .session(session), kind: .ended, number: nil, payload: payload),
            HubEvent(topic: .feed(business: ended.draft.business), kind: .numbered, number: ended.cursor,
                     payload: FeedDraft.frame(payload: ended.draft.payload, cursor: ended.cursor)),
        ])
        return now
    }

    private func performFeed(_ draft: FeedDraft) async throws -> Int {
        let cursor = try await store.insertFeed(draft, at: WireTime.now())
        var events: [HubEvent] = []
        if let session = draft.session {
            var payload = ByteBufferAllocator().buffer(capacity: draft.payload.count)
            payload.writeBytes(draft.payload)
            events.append(HubEvent(topic: .session(session), kind: .signal, number: nil, payload: payload))
        }
        events.append(HubEvent(topic: .feed(business: draft.business), kind: .numbered, number: cursor,
                               payload: FeedDraft.frame(payload: draft.payload, cursor: cursor)))
        await fanout.publish(events)
        return cursor
    }
}
