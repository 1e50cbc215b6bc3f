import NIOConcurrencyHelpers

/// Open sockets per client address on this node, against `Limits.socketsPerAddress`.
package final class SocketCounter: Sendable {
    private let cap: Int
    private let open = NIOLockedValueBox<[String: Int]>([:])

    init(cap: Int) { self.cap = cap }

    /// Whether `address` may open another socket now (checked before the upgrade).
    func hasRoom(_ address: String) -> Bool {
        cap == 0 || open.withLockedValue { $0[address, default: 0] } < cap
    }

    /// Counts one more socket for `address`; false (not counted) when it is at its cap.
    func take(_ address: String) -> Bool {
        open.withLockedValue { open in
            let count = open[address, default: 0]
            guard cap == 0 || count < cap else { return false }
            open[address] = count + 1
            return true
        }
    }

    func release(_ address: String) {
        open.withLockedValue { open in
            let left = open[address, default: 1] - 1
            open[address] = left > 0 ? left : nil
        }
    }
}
