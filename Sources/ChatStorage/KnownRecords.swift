import ChatDomain
import Foundation
import NIOConcurrencyHelpers

/// Businesses and departments already read, by id. Both are immutable once created (no endpoint
/// or command changes one), so a copy read once stays true on every node; what is not found is
/// not remembered (it may be created on another node a moment later). Start-session and every
/// handshake read the business: this saves a query on each. Bounded: emptied when full.
final class KnownRecords: Sendable {
    private static let capacity = 10_000
    private let businesses = NIOLockedValueBox([UUID: Business]())
    private let departments = NIOLockedValueBox([UUID: Department]())

    func business(_ id: UUID, else read: () async throws -> Business?) async rethrows -> Business? {
        if let known = businesses.withLockedValue({ $0[id] }) { return known }
        guard let found = try await read() else { return nil }
        businesses.withLockedValue { Self.remember(found, at: id, in: &$0) }
        return found
    }

    func department(_ id: UUID, else read: () async throws -> Department?) async rethrows -> Department? {
        if let known = departments.withLockedValue({ $0[id] }) { return known }
        guard let found = try await read() else { return nil }
        departments.withLockedValue { Self.remember(found, at: id, in: &$0) }
        return found
    }

    private static func remember<Record>(_ record: Record, at id: UUID, in records: inout [UUID: Record]) {
        if records.count >= capacity { records.removeAll(keepingCapacity: true) }
        records[id] = record
    }
}
