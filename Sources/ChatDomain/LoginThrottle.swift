import Foundation

/// Slows down password guessing: after `maxFailures` failed logins for an email (or from an
/// address) within `window`, further attempts are refused until the window passes.
package actor LoginThrottle {
    static let maxFailures = 5
    static let window: TimeInterval = 15 * 60

    private var failures: [String: [Date]] = [:]
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
    func retryAfter(keys: [String]) -> Int? {
        let now = Date()
        var wait: TimeInterval = 0
        for key in keys {
            let recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < Self.window }
            failures[key] = recent.isEmpty ? nil : recent
            if recent.count >= Self.maxFailures, let oldest = recent.first {
                wait = max(wait, Self.window - now.timeIntervalSince(oldest))
            }
        }
        return wait > 0 ? Int(wait.rounded(.up)) : nil
    }

    func failed(keys: [String]) {
        for key in keys { failures[key, default: []].append(Date()) }
    }

    func succeeded(key: String) {
        failures[key] = nil
    }
}
