#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's file descriptors, for the cap on open sockets: a node that runs out of them
/// fails everywhere at once (accepts, the database, files; on Linux libdispatch then crashed the
/// process with SIGILL in a benchmark of 20,000 sockets under `ulimit -n 20000`).
package enum SocketBudget {
    /// Descriptors kept for everything that is not a socket of a chat: the database, uploads,
    /// HTTP requests, the event loops' own.
    package static let reserve = 1024

    /// Raises the soft descriptor limit to the hard one, then returns how many sockets fit below
    /// it with `reserve` left over (at least 64).
    package static func raiseLimitAndMeasure() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 64 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        // RLIM_INFINITY is the largest value: the minimum bounds it as well.
        let soft = Int(min(limit.rlim_cur, 1_048_576))
        return max(64, soft - reserve)
    }
}
