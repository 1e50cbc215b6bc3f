import ChatDomain
import NIOPosix
import Vapor

/// Agents' passwords hashed with Bcrypt on the application's thread pool (never on an event loop).
package struct BcryptHasher: ChatDomain.PasswordHasher {
    let threadPool: NIOThreadPool
    let cost: Int

    package init(threadPool: NIOThreadPool, cost: Int) {
        self.threadPool = threadPool
        self.cost = cost
    }

    package func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await threadPool.runIfActive { try Bcrypt.hash(password, cost: cost) }
    }

    package func verify(_ password: String, against hash: String) async -> Bool {
        (try? await threadPool.runIfActive { (try? Bcrypt.verify(password, created: hash)) ?? false }) ?? false
    }
}
