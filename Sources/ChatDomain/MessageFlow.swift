import Foundation

/// What happens to a client's chat message, top to bottom. The transports only translate frames
/// (and answers) and the storage layer only persists and batches; every rule is here:
///
/// 1. a text is trimmed of surrounding white space, refused when empty or too long (`text`);
/// 2. a file message must name a file uploaded to the same session (`file`);
/// 3. the message is handed to the writer (`EventLog.append`), which gathers a batch and, inside
///    one transaction, applies the batch's plan (`BatchPlan`):
///    4. messages of a session that has ended are refused;
///    5. a `client_id` already stored by the same sender answers with the stored message, and a
///       repeat within the batch with the first one (nothing is stored twice);
///    6. the rest are numbered per session (`seq`) in arrival order, stored with their feed events;
/// 7. once committed, `handOut` gives every stored message to the fan-out as a committed event, in
///    commit order, and tells each refused or repeated message's sender. Nothing is broadcast
///    before it is stored.
package enum MessageFlow {
    /// Who writes in a session: the fields every message of one socket shares.
    package struct Author: Sendable {
        package let session: UUID
        package let business: UUID
        package let identity: Identity
        package let origin: (any MessageOrigin)?

        package init(session: UUID, business: UUID, identity: Identity, origin: (any MessageOrigin)?) {
            self.session = session
            self.business = business
            self.identity = identity
            self.origin = origin
        }

        func message(_ body: PendingMessage.Body, clientID: String?) -> PendingMessage {
            PendingMessage(sessionID: session, businessID: business, body: body, senderID: identity.subject ?? UUID(),
                           senderType: identity.senderType, clientID: clientID, origin: origin)
        }
    }

    // MARK: 1. Text

    /// A text message: trimmed, neither empty nor longer than `limit` characters.
    package static func text(_ content: String, clientID: String?, by author: Author, limit: Int) -> Result<PendingMessage, ChatError> {
        let trimmed = withoutSurroundingSpace(content)
        guard !trimmed.isEmpty else { return .failure(.emptyMessage) }
        // What is broadcast is what is stored, byte for byte, and no store keeps a NUL in text.
        guard !trimmed.utf8.contains(0) else { return .failure(.nulCharacter) }
        // Characters never outnumber UTF-8 bytes: count them only when the bytes could be too many.
        guard trimmed.utf8.count <= limit || trimmed.count <= limit else { return .failure(.messageTooLong(limit: limit)) }
        return .success(author.message(.text(trimmed), clientID: clientID))
    }

    /// A private note: a text only the session's agents see; a visitor may not write one.
    package static func note(_ content: String, clientID: String?, by author: Author, limit: Int) -> Result<PendingMessage, ChatError> {
        guard case .agent = author.identity else { return .failure(.notesForAgentsOnly) }
        return text(content, clientID: clientID, by: author, limit: limit).map { text in
            guard case .text(let body) = text.body else { return text }
            return author.message(.note(body), clientID: clientID)
        }
    }

    /// The text without leading and trailing white space (spaces, tabs, line breaks), looked
    /// up through Foundation only when the text starts or ends with something other than a
    /// visible ASCII character (most chat messages do not).
    private static func withoutSurroundingSpace(_ text: String) -> String {
        func visibleASCII(_ byte: UInt8?) -> Bool { byte.map { $0 > 0x20 && $0 < 0x7F } ?? false }
        if visibleASCII(text.utf8.first), visibleASCII(text.utf8.last) { return text }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: 2. File

    /// A file message: its URL must be one this server handed out for a file of the same session.
    package static func file(url: String, isAudio: Bool, clientID: String?, by author: Author,
                             in store: any HistoryStore) async throws -> PendingMessage {
        guard let name = MediaPath.storedName(in: url),
              let attachment = try await store.attachment(storedName: name), attachment.sessionID == author.session
        else { throw ChatError.unknownFile }
        let body = PendingMessage.Body.file(url: attachment.url, fileName: attachment.fileName, isAudio: isAudio,
                                            attachmentID: attachment.id)
        return author.message(body, clientID: clientID)
    }

    // MARK: 7. Hand out

    /// Gives a committed batch's stored messages to `sink` in one call (in commit order) and answers
    /// the senders of repeated and refused ones.
    package static func handOut(_ outcomes: [BatchPlan.Outcome], to sink: any EventSink) {
        var events: [CommittedEvent] = []
        events.reserveCapacity(outcomes.count)
        for outcome in outcomes {
            switch outcome {
            case .stored(let stored):
                events.append(.message(stored))
            case .duplicate(let message, let origin):
                origin?.repeated(message)
            case .sessionEnded(let origin):
                origin?.refused(.sessionEnded)
            }
        }
        if !events.isEmpty { sink.deliver(events) }
    }
}

/// Steps 4–6 for one batch, decided apart from the database that stores it: each message store
/// runs the same plan with its own statements, inside its transaction.
package struct BatchPlan {
    /// A stored message with what the fan-out needs: its JSON, business, feed cursor and feed event.
    package struct Stored: Sendable {
        package let message: WireMessage
        package let json: String
        package let business: UUID
        package let cursor: Int
        package let feedPayload: String
        package let receivedAt: ContinuousClock.Instant

        package init(message: WireMessage, json: String, business: UUID, cursor: Int, feedPayload: String,
                     receivedAt: ContinuousClock.Instant) {
            self.message = message
            self.json = json
            self.business = business
            self.cursor = cursor
            self.feedPayload = feedPayload
            self.receivedAt = receivedAt
        }
    }

    package enum Outcome: Sendable {
        case stored(Stored)
        case duplicate(WireMessage, (any MessageOrigin)?)
        case sessionEnded((any MessageOrigin)?)
    }

    /// A message to insert: its place in the batch, what clients see, and the JSON of both events.
    package struct Row {
        package let index: Int
        package let wire: WireMessage
        package let message: PendingMessage
        package let json: String
        package let feedPayload: String

        package var attachmentID: UUID? {
            if case .file(_, _, _, let id) = message.body { id } else { nil }
        }
    }

    package let batch: [PendingMessage]
    /// Sessions with new messages, in the order they first appear, and how many each has.
    package private(set) var sessions: [UUID] = []
    package private(set) var counts: [UUID: Int] = [:]
    private var fresh: [Int] = []
    private var firstOfKey: [PendingMessage.DuplicateKey: Int] = [:]
    private var outcomes: [Outcome?]

    /// Every `client_id` key of the batch: the store looks up which are already stored.
    package static func duplicateKeys(of batch: [PendingMessage]) -> Set<PendingMessage.DuplicateKey> {
        Set(batch.compactMap(\.duplicateKey))
    }

    /// 5. Repeats of a stored `client_id` (`known`) answer with the stored message; repeats inside
    /// the batch wait for the first one.
    package init(_ batch: [PendingMessage], known: [PendingMessage.DuplicateKey: WireMessage]) {
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

    /// 4 and 6. Numbers the new messages from the first number reserved in each session; sessions
    /// absent from `firstSeq` have ended and their messages are refused. Returns the rows to insert.
    package mutating func rows(firstSeq: [UUID: Int], at date: Date) -> [Row] {
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
            rows.append(Row(index: index, wire: wire, message: message, json: json, feedPayload: FeedDraft.messagePayload(wire, json: json)))
        }
        return rows
    }

    /// The outcome of every message, in batch order, once the rows are stored with these feed cursors.
    package mutating func outcomes(stored rows: [Row], cursors: [Int]) -> [Outcome] {
        var storedByIndex: [Int: WireMessage] = [:]
        for (row, cursor) in zip(rows, cursors) {
            outcomes[row.index] = .stored(Stored(message: row.wire, json: row.json, business: row.message.businessID, cursor: cursor,
                                                 feedPayload: row.feedPayload, receivedAt: row.message.receivedAt))
            storedByIndex[row.index] = row.wire
        }
        for (index, message) in batch.enumerated() where outcomes[index] == nil {
            guard let key = message.duplicateKey, let first = firstOfKey[key] else { continue }
            outcomes[index] = storedByIndex[first].map { .duplicate($0, message.origin) } ?? .sessionEnded(message.origin)
        }
        return outcomes.compactMap { $0 }
    }
}

/// The path of a file URL this server hands out, and the stored name in one (whatever its host).
package enum MediaPath {
    package static let prefix = "/media/chat_attachments/"

    package static func storedName(in url: String) -> String? {
        guard let components = URLComponents(string: url), components.path.hasPrefix(prefix) else { return nil }
        let name = String(components.path.dropFirst(prefix.count))
        return name.isEmpty || name.contains("/") ? nil : name
    }
}
