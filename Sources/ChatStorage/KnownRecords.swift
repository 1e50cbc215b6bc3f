import ChatDomain
import Foundation
import NIOConcurrencyHelpers

/// Records already read, by id, for records that are immutable once created (businesses and
/// departments: no endpoint or command changes one), so a copy read once stays true on every
/// node; what is not found is not remembered (it may be created on another node a moment later).
/// Start-session and every handshake read the business: this saves a query on each. Bounded:
/// emptied when full.
final class KnownRecords<Record: Sendable>: Sendable {
    private static var capacity: Int { 10_000 }
    private let records = NIOLockedValueBox([UUID: Record]())

    func record(_ id: UUID, else read: () async throws -> Record?) async rethrows -> Record? {
        if let known = records.withLockedValue({ $0[id] }) { return known }
        guard let found = try await read() else { return nil }
        records.withLockedValue { records in
            if records.count >= Self.capacity { records.removeAll(keepingCapacity: true) }
            records[id] = found
        }
        return found
    }
}
