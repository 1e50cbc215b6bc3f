import ChatDomain
import Foundation

/// What one NOTIFY payload holds: the sending node and its events, in commit order. PostgreSQL
/// refuses payloads of 8,000 bytes or more, so events are packed several to a payload up to
/// `maxPayload`, and an event too large on its own travels as a reference the receiver reads back.
struct BusEnvelope: Codable {
    /// The sending node (its own events are delivered locally, never twice).
    let n: UUID
    let e: [BusItem]
}

/// One event on the bus. `k`: `m` a message (its JSON in `p`), `mr` a message by its `id`, `e` a
/// session ended (`t` its end, `p` the feed event), `f` a feed event (`y` its type, `p` its JSON),
/// `fr` a feed event by its cursor, `g` a signal (its frame in `p`, not for the socket `x`), `r` a
/// revocation (`y`: `t` a token's jti in `p`, `a` an agent in `id`, `k` a business key's kid in `p`).
struct BusItem: Codable {
    var k: String
    var s: UUID?
    var b: UUID?
    var q: Int?
    var c: Int?
    var t: Double?
    var id: UUID?
    var y: String?
    var x: UUID?
    var p: String?
}

enum BusCodec {
    static let channel = "livechat_events"
    static let maxPayload = 7_900

    /// The items of committed events, as a store hands them to its transaction's NOTIFY.
    static func items(_ events: [CommittedEvent]) -> [BusItem] {
        events.map { event in
            switch event {
            case .message(let stored):
                BusItem(k: "m", s: stored.message.sessionID, b: stored.business, q: stored.message.seq, c: stored.cursor,
                        id: stored.message.id, p: stored.json)
            case .sessionEnded(let session, let business, let date, let cursor, let feedPayload):
                BusItem(k: "e", s: session, b: business, c: cursor, t: date.timeIntervalSince1970,
                        p: String(decoding: feedPayload, as: UTF8.self))
            case .feed(let draft, let cursor):
                BusItem(k: "f", s: draft.session, b: draft.business, c: cursor, y: draft.type, p: draft.text)
            }
        }
    }

    /// How every payload of `node` begins.
    static func head(_ node: UUID) -> String {
        #"{"n":""# + node.lowercasedText + #"","e":["#
    }

    /// The NOTIFY payloads of `items` from `node`: as few as fit, in order.
    static func payloads(_ items: [BusItem], from node: UUID) -> [String] {
        let encoder = JSONEncoder()
        let head = head(node)
        var payloads: [String] = []
        var current = head
        var count = 0
        for var item in items {
            guard var text = (try? encoder.encode(item)).map({ String(decoding: $0, as: UTF8.self) }) else { continue }
            if head.utf8.count + text.utf8.count + 2 > maxPayload {
                // Too large on its own: the receiver reads it from the database.
                guard item.k != "g" else { continue }  // a signal is not stored: it is dropped
                item.k = item.k == "m" ? "mr" : item.k == "f" ? "fr" : item.k
                item.p = nil
                guard let reference = try? encoder.encode(item) else { continue }
                text = String(decoding: reference, as: UTF8.self)
            }
            if count > 0, current.utf8.count + text.utf8.count + 3 > maxPayload {
                payloads.append(current + "]}")
                current = head
                count = 0
            }
            current += (count == 0 ? "" : ",") + text
            count += 1
        }
        if count > 0 { payloads.append(current + "]}") }
        return payloads
    }
}
