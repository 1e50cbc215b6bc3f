import Foundation

/// The benchmark's command line.
struct BenchOptions {
    var url = "http://127.0.0.1:8080"
    /// Where the agents connect (another node of the same deployment); defaults to `url`.
    var agentURL: String?
    var secret = ProcessInfo.processInfo.environment["LIVECHAT_JWT_SECRET"] ?? ""
    var serverPID: Int32?
    var sessions = 100
    var rate = 1000.0
    var duration = 10.0
    var connectConcurrency = 256
    /// Step the rate up until p99 passes `maxP99Millis` or a message is lost.
    var findMax = false
    var maxP99Millis = 50.0
    var stepFactor = 1.5
    var maxRate = 20_000.0
    var json: String?
    /// After the load: every visitor drops its socket at once and comes back with `last_seq`.
    var reconnect = false
    /// After the load: this many flooding sockets that never read, and the load again beside them.
    var flood = 0
    var floodRate = 50.0
    /// A database seeded by `livechat seed --json FILE`: its business is used, and its long session's history timed.
    var seeded: String?
    /// How long the server took from its launch to its first `/health` answer (measured by scripts/bench).
    var serverStartSeconds: Double?

    static let usage = """
        usage: LiveChatBench --url URL --secret SECRET [options]
          --url URL              server the visitors use (default http://127.0.0.1:8080)
          --agent-url URL        server the agents use (another node; default: --url)
          --secret S             the server's LIVECHAT_JWT_SECRET (or set it in the environment)
          --server-pid PID       the server process, for its RSS and CPU time (/proc)
          --sessions N           sessions, each with a visitor and an agent socket (default 100)
          --rate R               messages per second for the load phase (default 1000)
          --duration S           seconds of each load run (default 10)
          --find-max             step the rate up (x1.5) until p99 > 50 ms or a message is lost
          --max-p99 MS           the p99 bound of --find-max (default 50)
          --max-rate R           stop stepping here (default 20000)
          --connect-concurrency N  handshakes in flight while connecting (default 256)
          --reconnect            then a reconnect storm: every visitor drops its socket at once, the agents
                                 write one message to each session, and every visitor comes back (to
                                 --agent-url: the node that survived) with last_seq, which must bring it
                                 that message, once
          --flood N              then N sockets (20 per session, sessions of their own) that send pings with
                                 125-byte payloads and typing frames and never read, reopened when the
                                 server closes them; the load runs again beside them
          --flood-rate R         frames per second per flooding socket (default 50)
          --seeded FILE          use the business seeded by `livechat seed --json FILE` (its inbox and its long
                                 session's history are timed; its first agent reads them)
          --server-start-seconds S  the server's start-up time, for the report (scripts/bench measures it)
          --json FILE            also write the results as JSON
        """

    static func parse(_ arguments: [String]) throws -> BenchOptions {
        var options = BenchOptions()
        var iterator = arguments.makeIterator()
        func value(_ flag: String) throws -> String {
            guard let next = iterator.next() else { throw BenchError("\(flag) needs a value") }
            return next
        }
        func number(_ flag: String) throws -> Double {
            let raw = try value(flag)
            guard let parsed = Double(raw), parsed > 0 else { throw BenchError("\(flag) must be a positive number, got \(raw)") }
            return parsed
        }
        while let argument = iterator.next() {
            switch argument {
            case "--url": options.url = try value(argument)
            case "--agent-url": options.agentURL = try value(argument)
            case "--secret": options.secret = try value(argument)
            case "--server-pid": options.serverPID = Int32(try value(argument))
            case "--sessions": options.sessions = Int(try number(argument))
            case "--rate": options.rate = try number(argument)
            case "--duration": options.duration = try number(argument)
            case "--find-max": options.findMax = true
            case "--max-p99": options.maxP99Millis = try number(argument)
            case "--max-rate": options.maxRate = try number(argument)
            case "--connect-concurrency": options.connectConcurrency = Int(try number(argument))
            case "--reconnect": options.reconnect = true
            case "--flood": options.flood = Int(try number(argument))
            case "--flood-rate": options.floodRate = try number(argument)
            case "--seeded": options.seeded = try value(argument)
            case "--server-start-seconds": options.serverStartSeconds = try number(argument)
            case "--json": options.json = try value(argument)
            case "--help", "-h": throw BenchError(usage)
            default: throw BenchError("unknown option \(argument)\n\(usage)")
            }
        }
        guard options.secret.utf8.count >= 32 else { throw BenchError("--secret (the server's LIVECHAT_JWT_SECRET) is required") }
        return options
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
