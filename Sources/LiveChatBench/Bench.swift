import Foundation
import Histogram
import NIOCore
import NIOPosix

/// The benchmark: sets up a business and its sessions through the public API, connects a visitor
/// and an agent to each, then measures idle capacity and latency under an open-loop load.
final class Bench {
    struct Capacity: Codable {
        /// The server's resident memory before the benchmark did anything, and its start-up time.
        var serverRSSAtRestKiB: Int?
        var serverStartSeconds: Double?
        var sessions = 0
        /// `POST /chat/start-session/` for every session, 64 at once.
        var startSessionsPerSecond = 0.0
        var startSessionP50Millis = 0.0
        var startSessionP99Millis = 0.0
        var connections = 0
        var connectSeconds = 0.0
        var connectionsPerSecond = 0.0
        var handshakeP50Millis = 0.0
        var handshakeP99Millis = 0.0
        var serverRSSBeforeKiB: Int?
        var serverRSSAfterKiB: Int?
        var serverKiBPerConnection: Double?
    }

    struct LoadRun: Codable {
        var targetRate = 0.0
        var achievedSendRate = 0.0
        var sent = 0
        var agents = DeliveryTracker.Summary()
        var visitors = DeliveryTracker.Summary()
        var lostAtAgents = 0
        var lostAtVisitors = 0
        var historyChecked = 0
        var historyMismatches = 0
        var serverCPUSeconds: Double?
        var serverCPUMicrosPerMessage: Double?
        /// The benchmark's own CPU seconds over the run (it shares the machine with the server).
        var benchCPUSeconds: Double?
        var held: Bool { lostAtAgents == 0 && lostAtVisitors == 0 && agents.duplicates == 0 && agents.outOfOrder == 0 && historyMismatches == 0 }
    }

    struct Results: Codable {
        var capacity = Capacity()
        var reads = Reads()
        var runs: [LoadRun] = []
        var maxRate: Double?
        var reconnect: ReconnectStorm?
        var flood: FloodRun?
    }

    /// The same load without and then beside a flood.
    struct FloodRun: Codable {
        var flood = Flood.Summary()
        var quiet = LoadRun()
        var flooded = LoadRun()
        var p99DeltaMillis: Double { flooded.agents.p99Millis - quiet.agents.p99Millis }
    }

    let options: BenchOptions
    let visitorsAPI: BenchAPI
    let agentsAPI: BenchAPI
    let probe: ServerProbe?
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    var chats: [BenchAPI.Chat] = []
    var visitors: [BenchSocket] = []
    var agentSockets: [BenchSocket] = []
    var expectedPerSession: [Int] = []
    var agentToken = ""
    var business = ""
    var results = Results()
    let agentTracker: DeliveryTracker
    let visitorTracker: DeliveryTracker

    init(options: BenchOptions) {
        self.options = options
        visitorsAPI = BenchAPI(base: options.url, secret: options.secret)
        agentsAPI = BenchAPI(base: options.agentURL ?? options.url, secret: options.secret)
        probe = options.serverPID.map(ServerProbe.init)
        agentTracker = DeliveryTracker(sessions: options.sessions)
        visitorTracker = DeliveryTracker(sessions: options.sessions)
    }

    func run() async throws -> Results {
        try await setUp()
        try await connect()
        if options.findMax {
            var rate = options.rate
            while rate <= options.maxRate {
                let run = try await load(rate: rate)
                guard run.held, run.agents.p99Millis <= options.maxP99Millis else { break }
                results.maxRate = rate
                rate *= options.stepFactor
            }
        } else {
            _ = try await load(rate: options.rate)
        }
        if options.flood > 0, let quiet = results.runs.last { results.flood = try await floodRun(after: quiet) }
        if options.reconnect { results.reconnect = try await reconnectStorm() }
        await withTaskGroup(of: Void.self) { group in
            for socket in visitors + agentSockets { group.addTask { await socket.close() } }
        }
        try? await group.shutdownGracefully()
        return results
    }

    private func setUp() async throws {
        results.capacity.serverRSSAtRestKiB = probe?.rssKiB()
        results.capacity.serverStartSeconds = options.serverStartSeconds
        let seeded = try options.seeded.map(Seeded.read)
        if let seeded {
            business = seeded.business.lowercased()
            agentToken = Tokens.mint(secret: options.secret, role: "agent", business: business, subject: seeded.agents[0].lowercased())
        } else {
            business = try await visitorsAPI.createBusiness()
            agentToken = Tokens.mint(secret: options.secret, role: "agent", business: business)
        }
        let business = self.business
        log(seeded.map { "reads on the seeded business (\($0.messages) messages in \($0.sessions) sessions)" } ?? "reads")
        results.reads = try await Reads.measure(api: agentsAPI, token: agentToken, seeded: seeded)
        log("business \(business): starting \(options.sessions) sessions")
        let api = visitorsAPI
        let started = DispatchTime.now().uptimeNanoseconds
        let timed = try await inParallel(options.sessions, width: 64) { _ -> (BenchAPI.Chat, UInt64) in
            let sent = DispatchTime.now().uptimeNanoseconds
            let chat = try await api.startChat(business: business)
            return (chat, DispatchTime.now().uptimeNanoseconds - sent)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        var latencies = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        for (_, nanos) in timed { latencies.record(nanos) }
        chats = timed.map(\.0)
        results.capacity.startSessionsPerSecond = Double(timed.count) / seconds
        results.capacity.startSessionP50Millis = Double(latencies.valueAtPercentile(50)) / 1e6
        results.capacity.startSessionP99Millis = Double(latencies.valueAtPercentile(99)) / 1e6
        expectedPerSession = Array(repeating: 0, count: chats.count)
    }

    private func connect() async throws {
        results.capacity.sessions = chats.count
        results.capacity.serverRSSBeforeKiB = probe?.rssKiB()
        var handshakes = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        let started = DispatchTime.now().uptimeNanoseconds
        let agentTracker = self.agentTracker
        let visitorTracker = self.visitorTracker
        let visitorBase = options.url
        let agentBase = options.agentURL ?? options.url
        let agentToken = self.agentToken
        let group = self.group
        let chats = self.chats
        let opened = try await inParallel(chats.count * 2, width: options.connectConcurrency) { index -> (BenchSocket, UInt64) in
            let chat = chats[index / 2]
            if index % 2 == 0 {
                return try await BenchSocket.open(base: visitorBase, session: chat.session, token: chat.token, group: group) { frame in
                    visitorTracker.record(frame, at: DispatchTime.now().uptimeNanoseconds)
                }
            }
            return try await BenchSocket.open(base: agentBase, session: chat.session, token: agentToken, group: group) { frame in
                agentTracker.record(frame, at: DispatchTime.now().uptimeNanoseconds)
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        for (index, (socket, nanos)) in opened.enumerated() {
            handshakes.record(nanos)
            if index % 2 == 0 { visitors.append(socket) } else { agentSockets.append(socket) }
        }
        try await Task.sleep(for: .seconds(1))  // let the server settle before reading its memory
        var capacity = results.capacity
        capacity.connections = opened.count
        capacity.connectSeconds = seconds
        capacity.connectionsPerSecond = Double(opened.count) / seconds
        capacity.handshakeP50Millis = Double(handshakes.valueAtPercentile(50)) / 1e6
        capacity.handshakeP99Millis = Double(handshakes.valueAtPercentile(99)) / 1e6
        capacity.serverRSSAfterKiB = probe?.rssKiB()
        if let before = capacity.serverRSSBeforeKiB, let after = capacity.serverRSSAfterKiB {
            capacity.serverKiBPerConnection = Double(after - before) / Double(opened.count)
        }
        results.capacity = capacity
        log(String(format: "connected %d sockets in %.1f s", opened.count, seconds))
    }

    /// One open-loop run: message i is due at t0 + i/rate, whatever happened to the ones before.
    private func load(rate: Double) async throws -> LoadRun {
        let runID = String(UUID().uuidString.prefix(8))
        agentTracker.reset(run: runID)
        visitorTracker.reset(run: runID)
        let total = max(1, Int(rate * options.duration))
        let interval = 1e9 / rate
        let cpuBefore = probe?.cpuSeconds()
        let ownBefore = ServerProbe(pid: getpid()).cpuSeconds()
        log(String(format: "load: %.0f msg/s for %.0f s (%d messages)", rate, options.duration, total))
        let start = DispatchTime.now().uptimeNanoseconds + 50_000_000
        var next = 0
        while next < total {
            let now = DispatchTime.now().uptimeNanoseconds
            while next < total {
                let due = start + UInt64(Double(next) * interval)
                guard due <= now else { break }
                let session = next % visitors.count
                visitors[session].send(LoadMessage.text(run: runID, session: session, n: next / visitors.count, scheduled: due))
                expectedPerSession[session] += 1
                next += 1
            }
            try await Task.sleep(for: .microseconds(500))
        }
        let sendSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let deadline = Date().addingTimeInterval(15)
        while (agentTracker.received < total || visitorTracker.received < total), Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let cpuAfter = probe?.cpuSeconds()
        let ownAfter = ServerProbe(pid: getpid()).cpuSeconds()
        var run = LoadRun()
        if let ownBefore, let ownAfter { run.benchCPUSeconds = ownAfter - ownBefore }
        run.targetRate = rate
        run.sent = total
        run.achievedSendRate = Double(total) / sendSeconds
        run.agents = agentTracker.summary()
        run.visitors = visitorTracker.summary()
        run.lostAtAgents = total - run.agents.received
        run.lostAtVisitors = total - run.visitors.received
        if let cpuBefore, let cpuAfter {
            run.serverCPUSeconds = cpuAfter - cpuBefore
            run.serverCPUMicrosPerMessage = (cpuAfter - cpuBefore) / Double(total) * 1e6
        }
        let sample = Array(0..<min(chats.count, 50))
        let expected = expectedPerSession
        let api = agentsAPI
        let sessions = sample.map { chats[$0].session }
        let token = agentToken
        let stored = try await inParallel(sample.count, width: 16) { index in
            try await api.storedMessages(session: sessions[index], token: token)
        }
        run.historyChecked = sample.count
        run.historyMismatches = zip(sample, stored).filter { expected[$0.0] != $0.1 }.count
        results.runs.append(run)
        log(String(format: "  p99 %.2f ms, lost %d/%d, cpu %.1f µs/msg", run.agents.p99Millis, run.lostAtAgents, run.lostAtVisitors,
                   run.serverCPUMicrosPerMessage ?? -1))
        return run
    }

    /// The load again, beside `options.flood` sockets that flood and never read (on sessions of
    /// their own, from a client event loop of their own).
    private func floodRun(after quiet: LoadRun) async throws -> FloodRun {
        let api = visitorsAPI, business = self.business
        let sessions = max(1, (options.flood + 19) / 20)
        let floodChats = try await inParallel(sessions, width: 16) { _ in try await api.startChat(business: business) }
        let floodGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let flood = Flood(base: options.url, chats: floodChats, sockets: options.flood, perSocketRate: options.floodRate, group: floodGroup)
        try await flood.openAll()
        log(String(format: "flood: %d sockets on %d sessions, %.0f frames/s each, never reading", options.flood, sessions, options.floodRate))
        let flooding = Task { try await flood.flood() }
        try await Task.sleep(for: .seconds(2))  // until the flooders' queues are full and the server closes them
        let flooded = try await load(rate: options.rate)
        flood.stop()
        try await flooding.value
        try? await floodGroup.shutdownGracefully()
        let run = FloodRun(flood: flood.summary, quiet: quiet, flooded: flooded)
        log(String(format: "  p99 %.2f ms quiet, %.2f ms flooded (%+.2f ms); %d flood frames, %d flooding sockets closed by the server",
                   quiet.agents.p99Millis, flooded.agents.p99Millis, run.p99DeltaMillis, run.flood.framesSent, run.flood.closedByServer))
        return run
    }

    func log(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Runs `count` jobs with at most `width` in flight; results in job order.
func inParallel<T: Sendable>(_ count: Int, width: Int, _ job: @escaping @Sendable (Int) async throws -> T) async throws -> [T] {
    try await withThrowingTaskGroup(of: (Int, T).self) { group in
        var results = [T?](repeating: nil, count: count)
        var next = 0
        while next < min(width, count) {
            let index = next
            group.addTask { (index, try await job(index)) }
            next += 1
        }
        while let (index, value) = try await group.next() {
            results[index] = value
            if next < count {
                let index = next
                group.addTask { (index, try await job(index)) }
                next += 1
            }
        }
        return results.compactMap { $0 }
    }
}
