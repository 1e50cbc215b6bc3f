import Foundation

/// What becomes of each message of a batch, decided apart from the database that stores it:
/// repeats of a stored `client_id` answer with the stored message, repeats inside the batch with
/// the first one, messages of an ended session are refused, and the rest are numbered per session
/// in queue order. Each message store runs the same plan with its own statements.
struct BatchPlan {
    enum Outcome {
        /// Stored, with its business, its feed event's cursor and that event's JSON, and when it reached the server.
        case stored(WireMessage, json: String, business: UUID, cursor: Int, feedPayload: String, receivedAt: ContinuousClock.Instant)
        case duplicate(WireMessage, SocketConnection?)
        case sessionEnded(SocketConnection?)
    }

    /// A message to insert: its place in the batch, what clients see, and the JSON of both frames.
    struct Row {
        let index: Int
        let wire: WireMessage
        let message: PendingMessage
        let json: String
        let feedPayload: String

        var attachmentID: UUID? {
            if case .file(_, _, _, let id) = message.body { id } else { nil }
        }
    }

    let batch: [PendingMessage]
    /// Sessions with new messages, in the order they first appear, and how many each has.
    private(set) var sessions: [UUID] = []
    private(set) var counts: [UUID: Int] = [:]
    private var fresh: [Int] = []
    private var firstOfKey: [PendingMessage.DuplicateKey: Int] = [:]
    private var outcomes: [Outcome?]

    /// Every `client_id` key of the batch: the store looks up which are already stored.
    static func duplicateKeys(of batch: [PendingMessage]) -> Set<PendingMessage.DuplicateKey> {
        Set(batch.compactMap(\.duplicateKey))
    }

    init(_ batch: [PendingMessage], known: [PendingMessage.DuplicateKey: WireMessage]) {
        self.batch = batch
        outcomes = Array(repeating: nil, count: batch.count)
        for (index, message) in batch.enumerated() {
            if let key = message.duplicateKey {
                if let stored = known[key] {
                    outcomes[index] = .duplicate(stored, message.origin)
                    continue
                }
                if firstOfKey[key] != nil { continue }  // answered once the first one is numbered
                firstOfKey[key] = index
            }
            fresh.append(index)
            if counts[message.sessionID] == nil { sessions.append(message.sessionID) }
            counts[message.sessionID, default: 0] += 1
        }
    }

    /// Numbers the new messages from the first number reserved in each session (sessions that
    /// have ended are absent); returns the rows to insert.
    mutating func rows(firstSeq: [UUID: Int], at date: Date) -> [Row] {
        var next = firstSeq
        var rows: [Row] = []
        rows.reserveCapacity(fresh.count)
        for index in fresh {
            let message = batch[index]
            guard let seq = next[message.sessionID] else {
                outcomes[index] = .sessionEnded(message.origin)
                continue
            }
            next[message.sessionID] = seq + 1
            let wire = WireMessage(message, id: UUID.timeOrdered(), seq: seq, at: date)
            let json = wire.json
            let feed = #"{"type":"message","session_id":"\#(wire.sessionID.lowercasedText)","message":\#(json)}"#
            rows.append(Row(index: index, wire: wire, message: message, json: json, feedPayload: feed))
        }
        return rows
    }

    /// The outcome of every message, in batch order, once the rows are stored with these feed cursors.
    mutating func outcomes(stored rows: [Row], cursors: [Int]) -> [Outcome] {
        var storedByIndex: [Int: WireMessage] = [:]
        for (row, cursor) in zip(rows, cursors) {
            outcomes[row.index] = .stored(row.wire, json: row.json, business: row.message.businessID, cursor: cursor,
                                          feedPayload: row.feedPayload, receivedAt: row.message.receivedAt)
            storedByIndex[row.index] = row.wire
        }
        for (index, message) in batch.enumerated() where outcomes[index] == nil {
            guard let key = message.duplicateKey, let first = firstOfKey[key] else { continue }
            outcomes[index] = storedByIndex[first].map { .duplicate($0, message.origin) } ?? .sessionEnded(message.origin)
        }
        return outcomes.compactMap { $0 }
    }
}
