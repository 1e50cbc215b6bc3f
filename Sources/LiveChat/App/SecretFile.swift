import ChatDomain
import Foundation

/// The development secret: generated once, kept in the data folder with mode 0600.
enum SecretFile {
    static func loadOrCreate(in directory: URL) throws -> String {
        let file = directory.appendingPathComponent("jwt-secret")
        if let existing = try? String(contentsOf: file, encoding: .utf8) {
            let trimmed = existing.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.utf8.count >= 32 { return trimmed }
        }
        let secret = RandomToken.hex(bytes: 32)
        let created = FileManager.default.createFile(
            atPath: file.path, contents: Data(secret.utf8), attributes: [.posixPermissions: 0o600])
        guard created else { throw ConfigError("Cannot write the generated JWT secret to \(file.path).") }
        return secret
    }
}
