import Foundation
import Histogram
import NIOConcurrencyHelpers

/// Everything one side (agents or visitors) received during a load run: latency from each
/// message's scheduled send time, and per session which messages came, twice, or out of order.
final class DeliveryTracker: Sendable {
    struct Summary: Codable {
        var received = 0
        var duplicates = 0
        var outOfOrder = 0
        var p50Millis = 0.0
        var p90Millis = 0.0
        var p99Millis = 0.0
        var p999Millis = 0.0
        var maxMillis = 0.0
    }

    private struct State {
        var run = ""
        var histogram = Histogram<UInt64>(highestTrackableValue: 120_000_000_000, numberOfSignificantValueDigits: .three)
        var lastN: [Int]
        var seen: [Set<Int>]
        var received = 0
        var duplicates = 0
        var outOfOrder = 0
    }

    private let state: NIOLockedValueBox<State>

    init(sessions: Int) {
        state = NIOLockedValueBox(State(lastN: Array(repeating: -1, count: sessions), seen: Array(repeating: [], count: sessions)))
    }

    func reset(run: String) {
        state.withLockedValue { state in
            let sessions = state.lastN.count
            state = State(run: run, lastN: Array(repeating: -1, count: sessions), seen: Array(repeating: [], count: sessions))
        }
    }

    /// A frame from the server; only this run's benchmark messages count.
    func record(_ frame: String, at now: UInt64) {
        guard let tag = LoadMessage.parse(frame) else { return }
        state.withLockedValue { state in
            guard tag.run == state.run, tag.session < state.seen.count else { return }
            if !state.seen[tag.session].insert(tag.n).inserted {
                state.duplicates += 1
                return
            }
            if tag.n < state.lastN[tag.session] { state.outOfOrder += 1 }
            state.lastN[tag.session] = max(state.lastN[tag.session], tag.n)
            state.received += 1
            state.histogram.record(now > tag.scheduled ? now - tag.scheduled : 0)
        }
    }

    var received: Int { state.withLockedValue { $0.received } }

    func summary() -> Summary {
        state.withLockedValue { state in
            func millis(_ q: Double) -> Double { Double(state.histogram.valueAtPercentile(q)) / 1_000_000 }
            return Summary(
                received: state.received, duplicates: state.duplicates, outOfOrder: state.outOfOrder,
                p50Millis: millis(50), p90Millis: millis(90), p99Millis: millis(99), p999Millis: millis(99.9),
                maxMillis: Double(state.histogram.max) / 1_000_000)
        }
    }
}

/// The benchmark's message text: `bench:<run>:<session>:<n>:<scheduled ns>`.
enum LoadMessage {
    struct Tag {
        let run: Substring
        let session: Int
        let n: Int
        let scheduled: UInt64
    }

    static func text(run: String, session: Int, n: Int, scheduled: UInt64) -> String {
        #"{"type":"text","content":"bench:\#(run):\#(session):\#(n):\#(scheduled)"}"#
    }

    /// Finds the tag inside a broadcast frame without decoding the whole JSON.
    static func parse(_ frame: String) -> Tag? {
        guard let start = frame.range(of: "\"content\":\"bench:") else { return nil }
        let rest = frame[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        let parts = rest[..<end].split(separator: ":")
        guard parts.count == 4, let session = Int(parts[1]), let n = Int(parts[2]), let scheduled = UInt64(parts[3]) else { return nil }
        return Tag(run: parts[0], session: session, n: n, scheduled: scheduled)
    }
}
