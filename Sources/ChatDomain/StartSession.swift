import Foundation

/// `POST /chat/start-session/`: works out who the visitor is and returns their one active
/// session with the business, creating it (announced on the business feed, and dealt to an
/// online agent when the business auto-assigns) when there is none.
extension Chat {
    package struct StartRequest: Sendable {
        package var business: UUID
        package var department: UUID?
        package var externalCustomerID: String?
        package var customerToken: String?
        /// The verified caller of the `Authorization` header, if any.
        package var caller: Identity?
        package var origin: String?

        package init(business: UUID, department: UUID?, externalCustomerID: String?, customerToken: String?, caller: Identity?,
                     origin: String?) {
            self.business = business
            self.department = department
            self.externalCustomerID = externalCustomerID
            self.customerToken = customerToken
            self.caller = caller
            self.origin = origin
        }
    }

    package struct Started: Sendable {
        package let session: ChatSession
        package let visitor: UUID
        package let created: Bool
        /// A visitor token for `visitor`.
        package let token: String
    }

    package func startSession(_ request: StartRequest) async throws -> Started {
        guard let business = try await store.business(request.business) else { throw ChatError.businessNotFound }
        try OriginPolicy.check(request.origin, allowed: business.allowedOrigins)
        var department: Department?
        if let id = request.department {
            guard let found = try await store.department(id), found.businessID == request.business else {
                throw ChatError.departmentNotFound
            }
            department = found
        }
        let (visitor, isNew) = try await resolveVisitor(request, business: business)
        let (session, created) = try await activeSession(of: visitor.id, isNew: isNew, in: business, department: request.department)
        let token = try await tokens.mint(role: .visitor, subject: visitor.id, business: business.id, lifetime: settings.visitorTokenLifetime)
        if created {
            try await announceStart(SessionSummary(new: session, visitor: visitor, department: department), of: session,
                                    autoAssign: business.autoAssign)
        }
        return Started(session: session, visitor: visitor.id, created: created, token: token)
    }

    /// The visitor's active session, or a new one (true); two starts at once find the same session.
    /// A visitor created by this request has none yet.
    private func activeSession(of visitor: UUID, isNew: Bool, in business: Business, department: UUID?) async throws -> (ChatSession, Bool) {
        if !isNew, let existing = try await store.activeSession(visitor: visitor, business: business.id) { return (existing, false) }
        let session = ChatSession(businessID: business.id, departmentID: department, visitorID: visitor)
        do {
            try await store.insert(session)
            return (session, true)
        } catch {
            // The partial unique index refused a second active session: another request won the race.
            guard let existing = try await store.activeSession(visitor: visitor, business: business.id) else { throw error }
            return (existing, false)
        }
    }

    /// The visitor token's holder, else the customer proven by `customer_token`, else (when the
    /// business allows it) the bare `external_customer_id`, else a new guest. A visitor token
    /// beside an `external_customer_id` that is not its visitor's is no proof of that customer:
    /// without a `customer_token` (or a business allowing unverified ids) it is refused.
    /// The visitor, and whether this request created it.
    private func resolveVisitor(_ request: StartRequest, business: Business) async throws -> (Visitor, Bool) {
        if case .visitor(let id, let businessID)? = request.caller, businessID == request.business,
           let visitor = try await store.visitor(id), visitor.businessID == businessID {
            guard let given = request.externalCustomerID, given != visitor.externalCustomerID else { return (visitor, false) }
            guard request.customerToken != nil || business.allowUnverifiedCustomerIDs else { throw ChatError.customerIDUnproven }
        }
        if let customerToken = request.customerToken {
            guard let proven = await tokens.verifyCustomerToken(customerToken, identitySecret: business.identitySecret),
                  !proven.isEmpty, proven.count <= 255 else {
                throw ChatError.customerTokenInvalid
            }
            if let given = request.externalCustomerID, given != proven { throw ChatError.customerTokenMismatch }
            return try await customer(proven, of: request.business)
        }
        if let external = request.externalCustomerID {
            guard business.allowUnverifiedCustomerIDs else { throw ChatError.customerIDUnproven }
            return try await customer(external, of: request.business)
        }
        let guest = Visitor(businessID: request.business, externalCustomerID: nil)
        try await store.insert(guest)
        return (guest, true)
    }

    private func customer(_ external: String, of business: UUID) async throws -> (Visitor, Bool) {
        if let visitor = try await store.visitor(business: business, externalCustomerID: external) { return (visitor, false) }
        let visitor = Visitor(businessID: business, externalCustomerID: external)
        do {
            try await store.insert(visitor)
            return (visitor, true)
        } catch {
            guard let existing = try await store.visitor(business: business, externalCustomerID: external) else { throw error }
            return (existing, false)
        }
    }

    private struct SessionStartedEvent: Encodable {
        let type = "session_started"
        let session_id: String
        let session: SessionSummary
    }

    /// Tells the business feed, and deals the chat to an online agent when the business wants it.
    private func announceStart(_ summary: SessionSummary, of session: ChatSession, autoAssign dealt: Bool) async throws {
        try await log.publish(FeedDraft(
            business: session.businessID, type: "session_started",
            body: SessionStartedEvent(session_id: summary.session_id, session: summary)))
        if dealt { try await autoAssign(session) }
    }
}

/// A business's list of allowed page origins; empty allows every origin.
package enum OriginPolicy {
    package static func allows(_ origin: String?, allowed: [String]) -> Bool {
        guard !allowed.isEmpty, let origin else { return true }
        let normalized = origin.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        return allowed.contains { $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "/")) == normalized }
    }

    package static func check(_ origin: String?, allowed: [String]) throws {
        guard allows(origin, allowed: allowed) else { throw ChatError.originNotAllowed }
    }
}
