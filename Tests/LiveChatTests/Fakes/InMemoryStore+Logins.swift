import Foundation
@testable import ChatDomain

/// `LoginFailureStore`: failed logins by key (`email:…`, `ip:…`).
extension InMemoryStore: LoginFailureStore {
    /// Failures strictly after `since`.
    func failures(keys: [String], since: Date) async throws -> [String: [Date]] {
        reading { tables in
            var found: [String: [Date]] = [:]
            for failure in tables.loginFailures where keys.contains(failure.key) && failure.at > since {
                found[failure.key, default: []].append(failure.at)
            }
            return found
        }
    }

    /// Forgets the keys' failures at or before `forgettingBefore`, then records one per key.
    func recordFailure(keys: [String], at date: Date, forgettingBefore: Date) async throws {
        guard !keys.isEmpty else { return }
        reading { tables in
            tables.loginFailures.removeAll { keys.contains($0.key) && $0.at <= forgettingBefore }
            tables.loginFailures += keys.map { (key: $0, at: date) }
        }
    }

    func clearFailures(key: String) async throws {
        reading { $0.loginFailures.removeAll { $0.key == key } }
    }
}
