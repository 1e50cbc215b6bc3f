import Foundation

/// Slows down password guessing: after `maxFailures` failed logins for an email (or from an
/// address) within `window`, further attempts are refused until the window passes. The failures
/// are kept in the database (`LoginFailureStore`), so several nodes count them together.
package actor LoginThrottle {
    static let maxFailures = 5
    static let window: TimeInterval = 15 * 60

    private var decoy: String?

    package init() {}

    /// A hash to verify against when the email is unknown, so that both failures take as long.
    func decoyHash(_ hasher: any PasswordHasher) async throws -> String {
        if let decoy { return decoy }
        let hash = try await hasher.hash(RandomToken.hex(bytes: 16))
        decoy = hash
        return hash
    }

    /// Seconds to wait before trying again, or nil when an attempt is allowed.
    nonisolated func retryAfter(keys: [String], in store: any LoginFailureStore) async throws -> Int? {
        let now = Date()
        let since = now.addingTimeInterval(-Self.window)
        var wait: TimeInterval = 0
        for recent in try await store.failures(keys: keys, since: since).values where recent.count >= Self.maxFailures {
            guard let oldest = recent.min() else { continue }
            wait = max(wait, Self.window - now.timeIntervalSince(oldest))
        }
        return wait > 0 ? Int(wait.rounded(.up)) : nil
    }
}
