import Fluent
import Foundation
import Logging
import NIOCore
import SQLKit

/// The one writer of messages and session ends: stores in small batches (group commit), then
/// publishes each stored event in commit order. Nothing is broadcast before it is stored.
actor MessageWriter {
    private enum Command {
        case append(PendingMessage)
        case end(UUID, CheckedContinuation<Date?, any Error>)
    }

    private enum Outcome {
        case stored(ChatMessage)
        case duplicate(ChatMessage, SocketConnection?)
        case sessionEnded(SocketConnection?)
    }

    static let maxBatch = 256

    private let db: any Database
    private let fanout: any Fanout
    private let logger: Logger
    private var queue: [Command] = []
    private var draining = false

    init(db: any Database, fanout: any Fanout, logger: Logger) {
        self.db = db
        self.fanout = fanout
        self.logger = logger
    }

    /// Queues a message; the sender learns the outcome through the broadcast or its socket.
    func append(_ message: PendingMessage) {
        queue.append(.append(message))
        startDraining()
    }

    /// Ends a session after every message queued before; returns when it ended, nil if it had already.
    func end(session: UUID) async throws -> Date? {
        try await withCheckedThrowingContinuation { continuation in
            queue.append(.end(session, continuation))
            startDraining()
        }
    }

    /// Returns once everything queued so far is committed and published.
    func flush() async {
        while draining || !queue.isEmpty {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    private func startDraining() {
        guard !draining else { return }
        draining = true
        Task { await drain() }
    }

    private func drain() async {
        while !queue.isEmpty {
            let taken = queue
            queue = []
            var batch: [PendingMessage] = []
            for command in taken {
                switch command {
                case .append(let message):
                    batch.append(message)
                    if batch.count == Self.maxBatch {
                        await commit(batch)
                        batch = []
                    }
                case .end(let session, let continuation):
                    if !batch.isEmpty {
                        await commit(batch)
                        batch = []
                    }
                    await performEnd(session, continuation)
                }
            }
            if !batch.isEmpty { await commit(batch) }
        }
        draining = false
    }

    private func commit(_ batch: [PendingMessage]) async {
        do {
            let outcomes = try await store(batch)
            await publish(outcomes)
        } catch {
            logger.warning("batch of \(batch.count) messages failed, storing one by one", metadata: ["error": "\(String(reflecting: error))"])
            for message in batch {
                do {
                    let outcomes = try await store([message])
                    await publish(outcomes)
                } catch {
                    logger.error("message not stored", metadata: ["session": "\(message.sessionID)", "error": "\(String(reflecting: error))"])
                    message.origin?.sendError("Your message could not be stored. Please send it again.")
                }
            }
        }
    }

    private func publish(_ outcomes: [Outcome]) async {
        for outcome in outcomes {
            switch outcome {
            case .stored(let message):
                let payload = JSONFrame.encode(WireMessage(message), allocator: ByteBufferAllocator())
                await fanout.publish(SessionEvent(sessionID: message.sessionID, kind: .message, seq: message.seq, payload: payload))
            case .duplicate(let message, let origin):
                origin?.send(json: WireMessage(message))
            case .sessionEnded(let origin):
                origin?.sendError(ServerFrame.endedError)
                origin?.close(code: .sessionEnded)
            }
        }
    }

    private func performEnd(_ session: UUID, _ continuation: CheckedContinuation<Date?, any Error>) async {
        let now = WireTime.now()
        do {
            let rows = try await db.sql().raw("""
                UPDATE chat_sessions SET ended_at = \(bind: now) WHERE id = \(bind: session) AND ended_at IS NULL RETURNING id
                """).all()
            if rows.isEmpty {
                continuation.resume(returning: nil)
                return
            }
            let payload = JSONFrame.encode(ServerFrame.sessionEnded(session, at: now), allocator: ByteBufferAllocator())
            await fanout.publish(SessionEvent(sessionID: session, kind: .ended, seq: nil, payload: payload))
            continuation.resume(returning: now)
        } catch {
            continuation.resume(throwing: error)
        }
    }

    /// Looks up repeated `client_id`s first (a read outside the transaction, so that the transaction
    /// starts with a write and waits for SQLite's write lock instead of failing on a stale snapshot),
    /// then stores the batch in one transaction.
    private func store(_ batch: [PendingMessage]) async throws -> [Outcome] {
        let known = try await Self.existingDuplicates(of: batch, on: db)
        return try await db.transaction { tx in try await Self.store(batch, known: known, on: tx) }
    }

    /// Numbers the new messages per session (refusing sessions that have ended), inserts them and
    /// links file messages to their attachment; repeats of a stored `client_id` answer with it.
    private static func store(
        _ batch: [PendingMessage], known: [PendingMessage.DuplicateKey: ChatMessage], on tx: any Database
    ) async throws -> [Outcome] {
        var seenInBatch: [PendingMessage.DuplicateKey: Int] = [:]
        var fresh: [(index: Int, message: PendingMessage)] = []
        var outcomes: [Outcome?] = Array(repeating: nil, count: batch.count)
        var countPerSession: [UUID: Int] = [:]
        var sessionOrder: [UUID] = []
        for (index, message) in batch.enumerated() {
            if let key = message.duplicateKey {
                if let stored = known[key] {
                    outcomes[index] = .duplicate(stored, message.origin)
                    continue
                }
                if seenInBatch[key] != nil { continue }  // resolved after the first one is numbered
                seenInBatch[key] = index
            }
            fresh.append((index, message))
            if countPerSession[message.sessionID] == nil { sessionOrder.append(message.sessionID) }
            countPerSession[message.sessionID, default: 0] += 1
        }

        let sql = try tx.sql()
        var nextSeq: [UUID: Int] = [:]
        for session in sessionOrder {
            let count = countPerSession[session] ?? 0
            let row = try await sql.raw("""
                UPDATE chat_sessions SET last_seq = last_seq + \(bind: count)
                WHERE id = \(bind: session) AND ended_at IS NULL RETURNING last_seq
                """).first()
            if let last = try row?.decode(column: "last_seq", as: Int.self) {
                nextSeq[session] = last - count + 1
            }
        }

        let now = WireTime.now()
        var rows: [ChatMessage] = []
        var rowByIndex: [Int: ChatMessage] = [:]
        for (index, message) in fresh {
            guard let seq = nextSeq[message.sessionID] else {
                outcomes[index] = .sessionEnded(message.origin)
                continue
            }
            nextSeq[message.sessionID] = seq + 1
            let row = message.row(seq: seq, at: now)
            rows.append(row)
            rowByIndex[index] = row
            outcomes[index] = .stored(row)
        }
        if !rows.isEmpty { try await rows.create(on: tx) }
        for row in rows {
            guard let attachment = row.attachmentID, let id = row.id else { continue }
            try await sql.raw("""
                UPDATE attachments SET message_id = \(bind: id) WHERE id = \(bind: attachment) AND message_id IS NULL
                """).run()
        }
        // Repeats of a client_id inside this batch answer with the row stored for the first one.
        for (index, message) in batch.enumerated() where outcomes[index] == nil {
            guard let key = message.duplicateKey, let first = seenInBatch[key] else { continue }
            if let stored = rowByIndex[first] {
                outcomes[index] = .duplicate(stored, message.origin)
            } else {
                outcomes[index] = .sessionEnded(message.origin)
            }
        }
        return outcomes.compactMap { $0 }
    }

    private static func existingDuplicates(of batch: [PendingMessage], on tx: any Database) async throws -> [PendingMessage.DuplicateKey: ChatMessage] {
        let keys = batch.compactMap(\.duplicateKey)
        guard !keys.isEmpty else { return [:] }
        var found: [PendingMessage.DuplicateKey: ChatMessage] = [:]
        for session in Set(keys.map(\.sessionID)) {
            let clientIDs = Array(Set(keys.filter { $0.sessionID == session }.map(\.clientID)))
            let rows = try await ChatMessage.query(on: tx)
                .filter(\.$sessionID == session)
                .filter(\.$clientID ~~ clientIDs)
                .all()
            for row in rows {
                guard let clientID = row.clientID else { continue }
                found[PendingMessage.DuplicateKey(sessionID: session, senderID: row.senderID, clientID: clientID)] = row
            }
        }
        return found
    }
}
