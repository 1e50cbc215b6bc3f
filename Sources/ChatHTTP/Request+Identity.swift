import ChatDomain
import ChatRealtime
import Vapor

extension Request {
    /// The caller, or 401 when no valid token came.
    func requireIdentity() async throws -> Identity {
        guard let token = bearerToken else { throw ChatError.unauthenticated }
        return try await chat.access.identity(for: token)
    }

    /// The caller when a token came (401 if it is not valid), nil without one.
    func optionalIdentity() async throws -> Identity? {
        guard bearerToken != nil else { return nil }
        return try await requireIdentity()
    }

    func requireAdmin() async throws {
        guard try await requireIdentity() == .admin else { throw ChatError.forbidden }
    }

    /// The calling agent and its business (401 without a token, 403 for visitors and admins).
    func requireAgent() async throws -> (id: UUID, business: UUID) {
        guard case .agent(let id, let business) = try await requireIdentity() else { throw ChatError.forbidden }
        return (id, business)
    }

    /// The business the caller administers: a business admin's own, or the one the platform admin
    /// names with `?business=` (an admin agent naming another business finds none).
    func managedBusiness() async throws -> Business {
        var requested: UUID?
        if let raw = queryValue("business"), !raw.isEmpty {
            guard let id = UUID(text: raw) else { throw ChatError.businessNotFound }
            requested = id
        }
        return try await chat.businessSettings.managedBusiness(by: try await requireIdentity(), requested: requested)
    }

    /// The business an agent reads (its own), or the one the platform admin names (`?business=`).
    func readableBusiness() async throws -> UUID {
        switch try await requireIdentity() {
        case .agent(_, let business): return business
        case .admin: return try await managedBusiness().id
        case .visitor: throw ChatError.forbidden
        }
    }

    /// The `limit` query parameter of a page: `defaultLimit` when absent, 400 outside 1…`max`.
    func pageLimit(default defaultLimit: Int, max: Int) throws -> Int {
        try ASCIIDigits.parameter(queryValue("limit"), field: "limit", in: 1...max) ?? defaultLimit
    }

    /// The JSON object body, field by field: 415 when a `Content-Type` other than JSON comes, or
    /// none with a body (so a cross-site form, which cannot send JSON without a preflight, is refused).
    func jsonFields() throws -> JSONFields {
        let data = body.data.flatMap { $0.readableBytes > 0 ? Data(buffer: $0) : nil }
        if let type = headers.first(name: .contentType) {
            guard HeaderValue(type)?.isJSON == true else { throw ChatError.notJSON }
        } else if data != nil {
            throw ChatError.notJSON
        }
        return try JSONFields(data)
    }
}
