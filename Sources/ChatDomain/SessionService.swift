import Foundation

/// `POST /chat/start-session/`: works out who the visitor is and returns their one active
/// session with the business, creating it (announced on the business feed, and dealt to an
/// online agent when the business auto-assigns) when there is none.
package struct SessionService: Sendable {
    let directoryStore: any DirectoryStore
    let sessionStore: any SessionStore
    let visitorStore: any VisitorStore
    let log: any EventLog
    let tokens: any TokenService
    let settings: ChatSettings
    let assignment: AssignmentService

    package struct StartRequest: Sendable {
        package var business: UUID
        package var department: UUID?
        package var externalCustomerID: String?
        package var customerToken: String?
        /// The verified caller of the `Authorization` header, if any.
        package var caller: Identity?
        package var origin: String?
        /// The pre-chat form's answers (read by `VisitorProfile.Answers`, their problems kept):
        /// stored on a new visitor, and on a returning one (its name or email updated).
        package var profile: VisitorProfile.Answers

        package init(business: UUID, department: UUID?, externalCustomerID: String?, customerToken: String?, caller: Identity?,
                     origin: String?, profile: VisitorProfile.Answers = .init()) {
            self.business = business
            self.department = department
            self.externalCustomerID = externalCustomerID
            self.customerToken = customerToken
            self.caller = caller
            self.origin = origin
            self.profile = profile
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
        guard let business = try await directoryStore.business(request.business) else { throw ChatError.businessNotFound }
        try OriginPolicy.check(request.origin, allowed: business.allowedOrigins)
        var department: Department?
        if let id = request.department {
            guard let found = try await directoryStore.department(id), found.businessID == request.business else {
                throw ChatError.departmentNotFound
            }
            department = found
        }
        var found = try await resolveVisitor(request, business: business)
        let (session, created): (ChatSession, Bool)
        do {
            (session, created) = try await activeSession(of: found, in: business, department: department)
        } catch {
            // A new customer is stored with their session; another start of the same customer
            // stored them first (the unique external id): their session is the one.
            guard found.isNew, let external = found.visitor.externalCustomerID,
                  let stored = try await visitorStore.visitor(business: business.id, externalCustomerID: external) else { throw error }
            found = FoundVisitor(visitor: stored, isNew: false, isStored: true)
            (session, created) = try await activeSession(of: found, in: business, department: department)
        }
        let token = try await tokens.mint(role: .visitor, subject: found.visitor.id, business: business.id,
                                          lifetime: settings.visitorTokenLifetime)
        if created, business.autoAssign { try await assignment.autoAssign(session) }
        return Started(session: session, visitor: found.visitor.id, created: created, token: token)
    }

    /// The visitor of a start, and whether this request made it: a new guest is stored with its
    /// session, in the writer's transaction; a new customer is already stored (its unique
    /// external id settles a race between two starts).
    private struct FoundVisitor {
        let visitor: Visitor
        let isNew: Bool
        let isStored: Bool
    }

    /// The visitor's active session, or a new one (true), stored with its `session_started` event;
    /// two starts at once find the same session. A visitor created by this request has none yet.
    private func activeSession(of found: FoundVisitor, in business: Business, department: Department?) async throws -> (ChatSession, Bool) {
        if !found.isNew, let existing = try await sessionStore.activeSession(visitor: found.visitor.id, business: business.id) {
            return (existing, false)
        }
        let session = ChatSession(businessID: business.id, departmentID: department?.id, visitorID: found.visitor.id)
        let opening = try Self.opening(session, visitor: found.visitor, isStored: found.isStored, department: department)
        switch try await log.open(opening) {
        case .created: return (session, true)
        case .existing(let existing): return (existing, false)
        }
    }

    /// The visitor token's holder, else the customer proven by `customer_token`, else (when the
    /// business allows it) the bare `external_customer_id`, else a new guest. A visitor token
    /// beside an `external_customer_id` that is not its visitor's is no proof of that customer:
    /// without a `customer_token` (or a business allowing unverified ids) it is refused.
    private func resolveVisitor(_ request: StartRequest, business: Business) async throws -> FoundVisitor {
        if case .visitor(let id, let businessID)? = request.caller, businessID == request.business,
           let visitor = try await visitorStore.visitor(id), visitor.businessID == businessID {
            guard let given = request.externalCustomerID, given != visitor.externalCustomerID else {
                try VisitorProfile.check(request.profile, known: visitor, against: business.prechat)
                return FoundVisitor(visitor: try await updated(visitor, with: request.profile), isNew: false, isStored: true)
            }
            guard request.customerToken != nil || business.allowUnverifiedCustomerIDs else { throw ChatError.customerIDUnproven }
        }
        if let customerToken = request.customerToken {
            guard let proven = await tokens.verifyCustomerToken(customerToken, identitySecret: business.identitySecret),
                  !proven.isEmpty, proven.count <= 255 else {
                throw ChatError.customerTokenInvalid
            }
            if let given = request.externalCustomerID, given != proven { throw ChatError.customerTokenMismatch }
            return try await customer(proven, of: business, request)
        }
        if let external = request.externalCustomerID {
            guard business.allowUnverifiedCustomerIDs else { throw ChatError.customerIDUnproven }
            return try await customer(external, of: business, request)
        }
        try VisitorProfile.check(request.profile, known: nil, against: business.prechat)
        let guest = Visitor(businessID: request.business, externalCustomerID: nil, name: request.profile.name, email: request.profile.email)
        return FoundVisitor(visitor: guest, isNew: true, isStored: false)
    }

    private func customer(_ external: String, of business: Business, _ request: StartRequest) async throws -> FoundVisitor {
        let existing = try await visitorStore.visitor(business: business.id, externalCustomerID: external)
        try VisitorProfile.check(request.profile, known: existing, against: business.prechat)
        if let existing { return FoundVisitor(visitor: try await updated(existing, with: request.profile), isNew: false, isStored: true) }
        // Stored by the writer with their first session, as a guest is.
        let visitor = Visitor(businessID: business.id, externalCustomerID: external, name: request.profile.name, email: request.profile.email)
        return FoundVisitor(visitor: visitor, isNew: true, isStored: false)
    }

    /// What the writer stores for a new session: the session, its visitor when not stored yet, and
    /// its `session_started` feed event.
    package static func opening(_ session: ChatSession, visitor: Visitor, isStored: Bool, department: Department?) throws -> SessionOpening {
        let summary = SessionSummary(new: session, visitor: visitor, department: department)
        let draft = try FeedDraft(business: session.businessID, type: "session_started",
                                  body: SessionStartedEvent(session_id: summary.session_id, session: summary))
        return SessionOpening(session: session, newVisitor: isStored ? nil : visitor, draft: draft)
    }

    /// A returning visitor with the answers it gave this time: a name or email that differs from
    /// the stored one is stored (the same visitor, never a new one).
    private func updated(_ visitor: Visitor, with answers: VisitorProfile.Answers) async throws -> Visitor {
        var changed = visitor
        if let name = answers.name { changed.name = name }
        if let email = answers.email { changed.email = email }
        guard changed.name != visitor.name || changed.email != visitor.email else { return visitor }
        try await visitorStore.updateProfile(of: visitor.id, name: changed.name, email: changed.email)
        return changed
    }

    private struct SessionStartedEvent: Encodable {
        let type = "session_started"
        let session_id: String
        let session: SessionSummary
    }
}
