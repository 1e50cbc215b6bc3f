import Foundation
import Synchronization
@testable import ChatDomain

/// Fakes the storage layer's `MessageWriter` (the domain's `EventLog`) over an `InMemoryStore`:
/// synchronous inside, no thread and no task. Each `append` is committed at once as a batch of
/// one (with `gathersBatches`, appends wait for the next `flush`, `end`, `publish` or `open` and
/// are committed together: one batch, as the real writer gathers them). Batches follow the
/// domain's `BatchPlan` exactly as the real stores do (`InMemoryStore+Writer.swift`), and every
/// committed event is handed out through `MessageFlow.handOut`, in commit order, into
/// `committed` (and to `sink`, when given).
final class InMemoryEventLog: EventLog, Sendable {
    private struct State {
        var gathered: [PendingMessage] = []
        var committed: [CommittedEvent] = []
        var failing = false
    }

    /// Hands the committed events to the log's record.
    private struct Recorder: EventSink {
        let log: InMemoryEventLog
        func deliver(_ events: [CommittedEvent]) { log.record(events) }
    }

    let store: InMemoryStore
    private let gathersBatches: Bool
    private let sink: (any EventSink)?
    private let clock: @Sendable () -> Date
    private let state = Mutex(State())

    /// `clock`: the time messages, ends and feed events are stored at.
    init(store: InMemoryStore, gathersBatches: Bool = false, sink: (any EventSink)? = nil,
         clock: @escaping @Sendable () -> Date = { WireTime.now() }) {
        self.store = store
        self.gathersBatches = gathersBatches
        self.sink = sink
        self.clock = clock
    }

    /// Every event handed out so far, in commit order.
    var committed: [CommittedEvent] { state.withLock { $0.committed } }

    var isFailing: Bool { state.withLock { $0.failing } }

    /// Makes the database refuse the writer: messages are refused (`notStored`), the other
    /// commands throw `FakeStoreError.databaseDown`; or accept again.
    func setFailing(_ failing: Bool) {
        state.withLock { $0.failing = failing }
    }

    func append(_ message: PendingMessage) {
        if gathersBatches {
            state.withLock { $0.gathered.append(message) }
        } else {
            commit([message])
        }
    }

    func end(session: UUID) async throws -> Date? {
        try commitGatheredThenCheck()
        let now = clock()
        guard let ended = try store.endSession(session, at: now) else { return nil }
        record([.sessionEnded(session: session, business: ended.draft.business, at: now, cursor: ended.cursor,
                              feedPayload: ended.draft.payload)])
        return now
    }

    @discardableResult
    func publish(_ draft: FeedDraft) async throws -> Int {
        try commitGatheredThenCheck()
        let cursor = store.insertFeed(draft, at: clock())
        record([.feed(draft, cursor: cursor)])
        return cursor
    }

    func open(_ opening: SessionOpening) async throws -> SessionOpened {
        try commitGatheredThenCheck()
        let opened = try store.open(opening, at: clock())
        if case .created(let cursor) = opened { record([.feed(opening.draft, cursor: cursor)]) }
        return opened
    }

    func flush() async {
        commitGathered()
    }

    /// Commits the gathered appends as one batch (what `flush` does, without waiting).
    func commitGathered() {
        let batch = state.withLock { state in
            defer { state.gathered = [] }
            return state.gathered
        }
        if !batch.isEmpty { commit(batch) }
    }

    private func commitGatheredThenCheck() throws {
        commitGathered()
        if isFailing { throw FakeStoreError.databaseDown }
    }

    private func commit(_ batch: [PendingMessage]) {
        guard !isFailing else {
            for message in batch { message.origin?.refused(.notStored) }
            return
        }
        MessageFlow.handOut(store.storeBatch(batch, at: clock()), to: Recorder(log: self))
    }

    private func record(_ events: [CommittedEvent]) {
        state.withLock { $0.committed += events }
        sink?.deliver(events)
    }
}

extension InMemoryEventLog {
    /// The messages handed out, in commit order.
    var storedMessages: [WireMessage] {
        committed.compactMap { if case .message(let stored) = $0 { stored.message } else { nil } }
    }

    /// Each handed-out event's feed type (`message`, `session_ended`, or the draft's type), in order.
    var committedTypes: [String] {
        committed.map { event in
            switch event {
            case .message: "message"
            case .sessionEnded: "session_ended"
            case .feed(let draft, _): draft.type
            }
        }
    }

    /// The feed events of type `type` handed out, with their cursors.
    func feedDrafts(ofType type: String) -> [(draft: FeedDraft, cursor: Int)] {
        committed.compactMap { if case .feed(let draft, let cursor) = $0, draft.type == type { (draft, cursor) } else { nil } }
    }
}

/// A message's sender as a test sees it: what it was told instead of the broadcast.
final class RecordingOrigin: MessageOrigin, Sendable {
    private let told = Mutex<(repeated: [WireMessage], refused: [ChatError])>(([], []))

    var repeated: [WireMessage] { told.withLock { $0.repeated } }
    var refused: [ChatError] { told.withLock { $0.refused } }

    func repeated(_ stored: WireMessage) { told.withLock { $0.repeated.append(stored) } }
    func refused(_ error: ChatError) { told.withLock { $0.refused.append(error) } }
}
