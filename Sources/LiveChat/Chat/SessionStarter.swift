import Fluent
import Foundation

/// `POST /chat/start-session/`: works out who the visitor is and returns their one active
/// session with the business, creating it when there is none.
struct SessionStarter: Sendable {
    struct Request: Sendable {
        var business: UUID
        var department: UUID?
        var externalCustomerID: String?
        var customerToken: String?
        /// The verified visitor token of the `Authorization` header, if any.
        var caller: Identity?
        var origin: String?
    }

    struct Result: Sendable {
        let session: ChatSession
        let visitor: UUID
        let created: Bool
    }

    let db: any Database

    func start(_ request: Request) async throws -> Result {
        guard let business = try await Business.find(request.business, on: db) else { throw ChatError.businessNotFound }
        try OriginPolicy.check(request.origin, allowed: business.allowedOrigins)
        if let department = request.department {
            guard let found = try await Department.find(department, on: db), found.businessID == request.business else {
                throw ChatError(.notFound, "Department not found.", fields: ["department": ["Unknown department for this business."]])
            }
        }
        let visitor = try await resolveVisitor(request, business: business)
        if let existing = try await activeSession(of: visitor, in: request.business) {
            return Result(session: existing, visitor: visitor, created: false)
        }
        let session = ChatSession(businessID: request.business, departmentID: request.department, visitorID: visitor)
        do {
            try await session.create(on: db)
            return Result(session: session, visitor: visitor, created: true)
        } catch {
            // The partial unique index refused a second active session: another request won the race.
            guard let existing = try await activeSession(of: visitor, in: request.business) else { throw error }
            return Result(session: existing, visitor: visitor, created: false)
        }
    }

    private func activeSession(of visitor: UUID, in business: UUID) async throws -> ChatSession? {
        try await ChatSession.query(on: db)
            .filter(\.$businessID == business)
            .filter(\.$visitorID == visitor)
            .filter(\.$endedAt == nil)
            .first()
    }

    /// The visitor token's holder, else the customer proven by `customer_token`, else (when the
    /// business allows it) the bare `external_customer_id`, else a new guest.
    private func resolveVisitor(_ request: Request, business: Business) async throws -> UUID {
        if case .visitor(let id, let businessID)? = request.caller, businessID == request.business,
           let visitor = try await Visitor.find(id, on: db), visitor.businessID == businessID {
            return id
        }
        if let customerToken = request.customerToken {
            guard let claims = await TokenService.verifyCustomerToken(customerToken, identitySecret: business.identitySecret),
                  !claims.sub.value.isEmpty, claims.sub.value.count <= 255 else {
                throw ChatError(.forbidden, "The customer token is invalid or expired.")
            }
            if let given = request.externalCustomerID, given != claims.sub.value {
                throw ChatError(.forbidden, "The customer token does not prove this external_customer_id.")
            }
            return try await customer(claims.sub.value, of: request.business)
        }
        if let external = request.externalCustomerID {
            guard business.allowUnverifiedCustomerIDs else {
                throw ChatError(.forbidden, "An external_customer_id must be proven with a customer_token signed with the business's identity secret.")
            }
            return try await customer(external, of: request.business)
        }
        let guest = Visitor(businessID: request.business, externalCustomerID: nil)
        try await guest.create(on: db)
        return try guest.requireID()
    }

    private func customer(_ external: String, of business: UUID) async throws -> UUID {
        func find() async throws -> Visitor? {
            try await Visitor.query(on: db)
                .filter(\.$businessID == business)
                .filter(\.$externalCustomerID == external)
                .first()
        }
        if let visitor = try await find() { return try visitor.requireID() }
        let visitor = Visitor(businessID: business, externalCustomerID: external)
        do {
            try await visitor.create(on: db)
            return try visitor.requireID()
        } catch {
            guard let existing = try await find() else { throw error }
            return try existing.requireID()
        }
    }
}

/// A business's list of allowed page origins; empty allows every origin.
enum OriginPolicy {
    static func allows(_ origin: String?, allowed: [String]) -> Bool {
        guard !allowed.isEmpty, let origin else { return true }
        let normalized = origin.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        return allowed.contains { $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "/")) == normalized }
    }

    static func check(_ origin: String?, allowed: [String]) throws {
        guard allows(origin, allowed: allowed) else {
            throw ChatError(.forbidden, "This origin is not allowed to open chats for this business.")
        }
    }
}
