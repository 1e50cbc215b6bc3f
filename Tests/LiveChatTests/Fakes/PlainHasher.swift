import Foundation
@testable import ChatDomain

/// Fakes the Bcrypt hasher (the domain's `PasswordHasher`): a hash is `hashed:` and the password,
/// so tests run in microseconds and can read what was stored.
struct PlainHasher: PasswordHasher {
    static func hashed(_ password: String) -> String { "hashed:" + password }

    func hash(_ password: String) async throws -> String {
        Self.hashed(password)
    }

    func verify(_ password: String, against hash: String) async -> Bool {
        hash == Self.hashed(password)
    }
}
