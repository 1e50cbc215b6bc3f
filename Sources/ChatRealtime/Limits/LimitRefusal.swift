/// A client past one of its per-address or per-session limits (`Limits`): the HTTP layer answers
/// 429 with `Retry-After`.
package enum LimitRefusal: Error, Equatable {
    /// `limit` names the rate (`start_session`, `login`, `upload`).
    case rate(limit: String, retryAfter: Int)
    case socketsPerAddress
    case socketsPerSession
    /// The node has no room for another socket (`Limits.socketsTotal`).
    case socketsTotal

    package var retryAfter: Int {
        switch self {
        case .rate(_, let wait): wait
        case .socketsPerAddress, .socketsPerSession, .socketsTotal: 5
        }
    }

    /// The limit's name, as the metrics count refusals.
    package var limit: String {
        switch self {
        case .rate(let limit, _): limit
        case .socketsPerAddress: "sockets_per_address"
        case .socketsPerSession: "sockets_per_session"
        case .socketsTotal: "sockets_total"
        }
    }

    package var message: String {
        switch self {
        case .rate(_, let wait): "Too many requests from this address. Please try again in \(wait) seconds."
        case .socketsPerAddress: "Too many open connections from this address."
        case .socketsPerSession: "Too many open connections to this chat session."
        case .socketsTotal: "This server has no room for another connection right now. Please try again shortly."
        }
    }
}
