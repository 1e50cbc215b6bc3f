import NIOConcurrencyHelpers

/// Open sockets per client address on this node, against `Limits.socketsPerAddress`, and on the
/// node in all, against `Limits.socketsTotal` (0: no cap).
package final class SocketCounter: Sendable {
    private let cap: Int
    private let totalCap: Int
    private let open = NIOLockedValueBox<(byAddress: [String: Int], total: Int)>(([:], 0))

    init(cap: Int, total: Int) {
        self.cap = cap
        totalCap = total
    }

    /// Whether the node may open another socket now (checked before the upgrade).
    func hasRoomInAll() -> Bool {
        totalCap == 0 || open.withLockedValue { $0.total } < totalCap
    }

    /// Whether `address` may open another socket now (checked before the upgrade).
    func hasRoom(_ address: String) -> Bool {
        cap == 0 || open.withLockedValue { $0.byAddress[address, default: 0] } < cap
    }

    /// Counts one more socket for `address`; false (not counted) when it or the node is at its cap.
    func take(_ address: String) -> Bool {
        open.withLockedValue { open in
            let count = open.byAddress[address, default: 0]
            guard cap == 0 || count < cap, totalCap == 0 || open.total < totalCap else { return false }
            open.byAddress[address] = count + 1
            open.total += 1
            return true
        }
    }

    func release(_ address: String) {
        open.withLockedValue { open in
            let left = open.byAddress[address, default: 1] - 1
            open.byAddress[address] = left > 0 ? left : nil
            open.total = max(0, open.total - 1)
        }
    }
}
