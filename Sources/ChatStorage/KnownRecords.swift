import ChatDomain
import Foundation
import NIOConcurrencyHelpers

/// Records already read, by id. Start-session and every handshake read the business: this saves a
/// query on each. Departments never change once created, so a copy read once stays true on every
/// node; a business's settings can (`PATCH /chat/settings/`), so its copy is forgotten at once on
/// the node that changed it and, on the others, read again once older than `maxAge`. What is not
/// found is not remembered (it may be created on another node a moment later). Bounded: emptied
/// when full.
final class KnownRecords<Record: Sendable>: Sendable {
    private static var capacity: Int { 10_000 }
    private let maxAge: Duration?
    private let records = NIOLockedValueBox([UUID: (record: Record, readAt: ContinuousClock.Instant)]())

    /// `maxAge`: how long a copy is trusted (nil: for ever, for records that never change).
    init(maxAge: Duration? = nil) {
        self.maxAge = maxAge
    }

    func record(_ id: UUID, else read: () async throws -> Record?) async rethrows -> Record? {
        let now = ContinuousClock.now
        if let known = records.withLockedValue({ $0[id] }), maxAge.map({ known.readAt.duration(to: now) < $0 }) ?? true {
            return known.record
        }
        guard let found = try await read() else { return nil }
        records.withLockedValue { records in
            if records.count >= Self.capacity { records.removeAll(keepingCapacity: true) }
            records[id] = (found, now)
        }
        return found
    }

    /// Forgets a record this node just changed.
    func forget(_ id: UUID) {
        _ = records.withLockedValue { $0.removeValue(forKey: id) }
    }
}
