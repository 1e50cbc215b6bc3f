import Foundation

/// The results as a table for people.
enum Report {
    static func table(_ results: Bench.Results, options: BenchOptions) -> String {
        var lines: [String] = []
        let c = results.capacity
        lines.append("livechat benchmark — visitors on \(options.url), agents on \(options.agentURL ?? options.url)")
        lines.append("")
        if let seconds = c.serverStartSeconds { lines.append(String(format: "server start-up           %.2f s (launch to the first /health answer)", seconds)) }
        if let rest = c.serverRSSAtRestKiB { lines.append(String(format: "server memory at rest     %d KiB RSS", rest)) }
        lines.append("")
        lines.append("reads (one request at a time, as an agent)")
        for timing in results.reads.timings {
            let name = timing.name.padding(toLength: 24, withPad: " ", startingAt: 0)
            lines.append(String(format: "  %@p50 / p99 %.2f / %.2f ms (%d requests, %d items a page)",
                                name as NSString, timing.p50Millis, timing.p99Millis, timing.requests, timing.items))
        }
        lines.append("")
        lines.append("idle capacity")
        lines.append(String(format: "  start-session           %.0f per second (64 at once; p50 / p99 %.2f / %.2f ms)",
                            c.startSessionsPerSecond, c.startSessionP50Millis, c.startSessionP99Millis))
        lines.append(String(format: "  sockets                 %d (%d sessions × visitor + agent)", c.connections, c.sessions))
        lines.append(String(format: "  connections per second  %.0f", c.connectionsPerSecond))
        lines.append(String(format: "  handshake p50 / p99     %.2f / %.2f ms", c.handshakeP50Millis, c.handshakeP99Millis))
        if let before = c.serverRSSBeforeKiB, let after = c.serverRSSAfterKiB, let per = c.serverKiBPerConnection {
            lines.append(String(format: "  server RSS              %d → %d KiB (%.1f KiB per connection)", before, after, per))
        } else {
            lines.append("  server RSS              (pass --server-pid to read it)")
        }
        lines.append("")
        lines.append("load (latency from each message's scheduled send to the agent's receipt)")
        lines.append("  rate/s   sent     p50 ms   p90 ms   p99 ms   p99.9 ms  max ms   lost(a/v)  dup  order  history  cpu µs/msg")
        for run in results.runs {
            let a = run.agents
            lines.append(String(format: "  %-8.0f %-8d %-8.2f %-8.2f %-8.2f %-9.2f %-8.1f %d/%-8d %-4d %-6d %@  %@",
                                run.targetRate, run.sent, a.p50Millis, a.p90Millis, a.p99Millis, a.p999Millis, a.maxMillis,
                                run.lostAtAgents, run.lostAtVisitors, a.duplicates, a.outOfOrder,
                                "\(run.historyChecked - run.historyMismatches)/\(run.historyChecked)" as NSString,
                                (run.serverCPUMicrosPerMessage.map { String(format: "%.1f", $0) } ?? "-") as NSString))
        }
        if options.findMax {
            lines.append("")
            lines.append(results.maxRate.map { String(format: "maximum rate held (p99 ≤ %.0f ms, nothing lost): %.0f msg/s", options.maxP99Millis, $0) }
                         ?? "maximum rate: even the first step did not hold")
        }
        if let flood = results.flood {
            lines.append("")
            lines.append(String(format: "flood (%d sockets that never read, %.0f frames/s each: pings of 125 B and typing)", flood.flood.sockets, flood.flood.perSocketRate))
            lines.append(String(format: "  others' p50 / p99       %.2f / %.2f ms quiet, %.2f / %.2f ms flooded (p99 %+.2f ms)",
                                flood.quiet.agents.p50Millis, flood.quiet.agents.p99Millis, flood.flooded.agents.p50Millis,
                                flood.flooded.agents.p99Millis, flood.p99DeltaMillis))
            lines.append(String(format: "  flood frames sent       %d; flooding sockets closed by the server %d", flood.flood.framesSent, flood.flood.closedByServer))
            func cpu(_ seconds: Double?) -> String { seconds.map { String(format: "%.2f s", $0) } ?? "-" }
            lines.append("  CPU over the load run   server \(cpu(flood.quiet.serverCPUSeconds)) quiet, \(cpu(flood.flooded.serverCPUSeconds)) flooded; "
                         + "benchmark \(cpu(flood.quiet.benchCPUSeconds)) quiet, \(cpu(flood.flooded.benchCPUSeconds)) flooded")
        }
        if let storm = results.reconnect {
            lines.append("")
            lines.append("reconnect storm (every visitor back at once with last_seq, to \(options.agentURL ?? options.url))")
            lines.append(String(format: "  sockets                 %d", storm.sockets))
            lines.append(String(format: "  all back in             %.2f s (%.0f handshakes/s; p50 / p99 %.1f / %.1f ms)",
                                storm.allBackSeconds, storm.handshakesPerSecond, storm.handshakeP50Millis, storm.handshakeP99Millis))
            lines.append(String(format: "  all caught up in        %.2f s (missed %d, twice %d)", storm.allCaughtUpSeconds, storm.missed, storm.duplicates))
        }
        return lines.joined(separator: "\n")
    }
}
