import Foundation
import Histogram

/// What `livechat seed --json FILE` wrote: the seeded business and its ids.
struct Seeded: Decodable {
    let business: String
    let agents: [String]
    let departments: [String]
    let longSession: String
    let sessions: Int
    let messages: Int

    enum CodingKeys: String, CodingKey {
        case business, agents, departments, sessions, messages
        case longSession = "long_session"
    }

    static func read(_ path: String) throws -> Seeded {
        let decoder = JSONDecoder()
        return try decoder.decode(Seeded.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

/// The reads an agent's console makes all day, one request at a time (latency, not throughput):
/// the inbox's first page and each filter, and with a seeded database the long session's history
/// (its first page, then every `after` page to its end, walked several times).
struct Reads: Codable {
    struct Timing: Codable {
        var name = ""
        var requests = 0
        var p50Millis = 0.0
        var p99Millis = 0.0
        /// Items in the last answer (a page's length).
        var items = 0
    }

    var timings: [Timing] = []

    static let repeats = 40

    static func measure(api: BenchAPI, token: String, seeded: Seeded?) async throws -> Reads {
        var reads = Reads()
        var queries = [("inbox", ""), ("inbox active", "active=true"), ("inbox ended", "active=false"),
                       ("inbox assigned to me", "assigned=me"), ("inbox unassigned", "assigned=none")]
        if let department = seeded?.departments.first { queries.append(("inbox department", "department=\(department)")) }
        for (name, query) in queries {
            reads.timings.append(try await time(name, times: repeats) {
                try await api.get("/chat/sessions/?\(query)", token: token)
            })
        }
        guard let session = seeded?.longSession.lowercased() else { return reads }
        reads.timings.append(try await time("history first page", times: repeats) {
            try await api.get("/chat/history/\(session)/", token: token)
        })
        // Every `after` page of the long session, from its first message to its end, until `repeats` pages are timed.
        var afterPages = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        var items = 0
        while afterPages.totalCount < UInt64(repeats) {
            var after = ""
            var first = true
            while true {
                let sent = DispatchTime.now().uptimeNanoseconds
                let reply = try await api.get("/chat/history/\(session)/\(after)", token: token)
                if !first { afterPages.record(DispatchTime.now().uptimeNanoseconds - sent) }
                first = false
                let page = reply["data"] as? [[String: Any]] ?? []
                guard let last = page.last(where: { $0["type"] as? String == "message" }),
                      let id = (last["data"] as? [String: Any])?["id"] as? String else { break }
                items = page.count
                after = "?after=\(id)"
            }
            guard afterPages.totalCount > 0 else { break }  // a single page: no `after` page to time
        }
        if afterPages.totalCount > 0 {
            reads.timings.append(Timing(name: "history after pages", requests: Int(afterPages.totalCount),
                                        p50Millis: Double(afterPages.valueAtPercentile(50)) / 1e6,
                                        p99Millis: Double(afterPages.valueAtPercentile(99)) / 1e6, items: items))
        }
        return reads
    }

    private static func time(_ name: String, times: Int, _ request: () async throws -> [String: Any]) async throws -> Timing {
        var latencies = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        var items = 0
        _ = try await request()  // the first answer warms the server's caches; it is not timed
        for _ in 0..<times {
            let sent = DispatchTime.now().uptimeNanoseconds
            let reply = try await request()
            latencies.record(DispatchTime.now().uptimeNanoseconds - sent)
            items = (reply["data"] as? [Any])?.count ?? 0
        }
        return Timing(name: name, requests: times, p50Millis: Double(latencies.valueAtPercentile(50)) / 1e6,
                      p99Millis: Double(latencies.valueAtPercentile(99)) / 1e6, items: items)
    }
}
