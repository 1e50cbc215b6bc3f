import Fluent
import Foundation
import Vapor

/// Turns a bearer token into an `Identity`: verifies it, checks the business exists, and
/// provisions an agent seen for the first time through a valid token of that business.
struct Authenticator: Sendable {
    let tokens: TokenService
    let db: any Database

    enum Failure: Error { case invalid }

    func identity(for token: String) async throws -> Identity {
        guard token.utf8.count <= 8192, let claims = await tokens.verify(token) else { throw Failure.invalid }
        return try await identity(for: claims)
    }

    /// The identity of already verified claims (provisioning the agent on first sight).
    func identity(for claims: TokenClaims) async throws -> Identity {
        guard let subject = UUID(uuidString: claims.sub.value) else { throw Failure.invalid }
        switch claims.role {
        case .admin:
            return .admin
        case .visitor:
            guard let business = claims.business else { throw Failure.invalid }
            return .visitor(id: subject, business: business)
        case .agent:
            guard let business = claims.business else { throw Failure.invalid }
            try await provisionAgent(subject, of: business)
            return .agent(id: subject, business: business)
        }
    }

    private func provisionAgent(_ id: UUID, of business: UUID) async throws {
        if let agent = try await Agent.find(id, on: db) {
            guard agent.businessID == business else { throw Failure.invalid }
            return
        }
        guard try await Business.find(business, on: db) != nil else { throw Failure.invalid }
        let agent = Agent(id: id, businessID: business, email: nil, passwordHash: nil, name: "Agent")
        do {
            try await agent.create(on: db)
        } catch {
            // Two first requests at once: the other one created it.
            guard let existing = try await Agent.find(id, on: db), existing.businessID == business else { throw error }
        }
    }
}

extension Request {
    /// The bearer token of the `Authorization` header, if any.
    var bearerToken: String? {
        guard let header = headers.first(name: .authorization) else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    var authenticator: Authenticator { Authenticator(tokens: chat.tokens, db: db) }

    /// The caller, or 401 when no valid token came.
    func requireIdentity() async throws -> Identity {
        guard let token = bearerToken else { throw ChatError.unauthenticated }
        do {
            return try await authenticator.identity(for: token)
        } catch is Authenticator.Failure {
            throw ChatError.unauthenticated
        }
    }

    func requireAdmin() async throws {
        guard try await requireIdentity() == .admin else { throw ChatError.forbidden }
    }
}
