import Foundation
@testable import ChatDomain
@testable import ChatTokens

/// The domain's ports for rules tested without a server or a database: every one a fake but the
/// tokens (the real `JWTTokenService`, on the test server's secret: it needs no I/O).
struct FakePorts: Sendable {
    let store: InMemoryStore
    let log: InMemoryEventLog
    let files: FakeFiles
    let hasher: PlainHasher
    let sender: RecordingWebhookSender
    let tokens: JWTTokenService

    /// `gathersBatches` and `clock`: see `InMemoryEventLog`.
    static func make(gathersBatches: Bool = false, clock: @escaping @Sendable () -> Date = { WireTime.now() }) async throws -> FakePorts {
        let store = InMemoryStore()
        return FakePorts(store: store, log: InMemoryEventLog(store: store, gathersBatches: gathersBatches, clock: clock), files: FakeFiles(),
                         hasher: PlainHasher(), sender: RecordingWebhookSender(), tokens: try await JWTTokenService(secret: TestServer.secret))
    }

    // MARK: Seeds: rows stored directly, as a test's setup

    func business(name: String = "Shop", allowedOrigins: [String] = [], allowUnverifiedCustomerIDs: Bool = false,
                  autoAssign: Bool = false, prechat: Prechat = Prechat(), retentionDays: Int? = nil) async throws -> Business {
        let business = Business(name: name, identitySecret: RandomToken.hex(bytes: 32), allowedOrigins: allowedOrigins,
                                allowUnverifiedCustomerIDs: allowUnverifiedCustomerIDs, autoAssign: autoAssign, prechat: prechat,
                                retentionDays: retentionDays)
        try await store.insert(business)
        return business
    }

    func department(of business: UUID, name: String = "Sales") async throws -> Department {
        let department = Department(businessID: business, name: name)
        try await store.insert(department)
        return department
    }

    func agent(of business: UUID, email: String? = nil, password: String = "correct horse", name: String = "Ann", department: UUID? = nil,
               active: Bool = true, isAdmin: Bool = false) async throws -> Agent {
        let agent = Agent(businessID: business, email: email ?? "agent-\(UUID().lowercasedText.prefix(8))@shop.example",
                          passwordHash: PlainHasher.hashed(password), name: name, departmentID: department, active: active, isAdmin: isAdmin)
        try await store.insert(agent)
        return agent
    }

    func visitor(of business: UUID, externalCustomerID: String? = nil, name: String? = nil, email: String? = nil) async throws -> Visitor {
        let visitor = Visitor(businessID: business, externalCustomerID: externalCustomerID, name: name, email: email)
        try await store.insert(visitor)
        return visitor
    }

    /// A session opened through the writer (its `session_started` event numbered), for a new
    /// guest unless `visitor` is given.
    func session(of business: UUID, visitor: Visitor? = nil, department: UUID? = nil, agent: UUID? = nil,
                 startedAt: Date = WireTime.now()) async throws -> ChatSession {
        let guest = visitor == nil ? Visitor(businessID: business, externalCustomerID: nil) : nil
        let session = ChatSession(businessID: business, departmentID: department, visitorID: (visitor ?? guest)!.id, startedAt: startedAt,
                                  assignedAgentID: agent)
        let draft = try FeedDraft(business: business, type: "session_started", session: session.id,
                                  body: ["type": "session_started", "session_id": session.id.lowercasedText])
        switch try await log.open(SessionOpening(session: session, newVisitor: guest, draft: draft)) {
        case .created: return session
        case .existing(let existing): return existing
        }
    }

    /// A checked text message of `session` by `identity` (what `MessageFlow.text` hands the writer).
    func text(_ content: String, in session: ChatSession, by identity: Identity, clientID: String? = nil,
              origin: (any MessageOrigin)? = nil) -> PendingMessage {
        PendingMessage(sessionID: session.id, businessID: session.businessID, body: .text(content), senderID: identity.subject ?? UUID(),
                       senderType: identity.senderType, clientID: clientID, origin: origin)
    }

    /// An attachment row of `session` for a kept file (its URL as the server writes it).
    func attachment(in session: ChatSession, name: String = "photo.png", bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47],
                    by visitor: UUID? = nil) async throws -> Attachment {
        let stored = files.store(bytes, kind: .png)
        let attachment = Attachment(sessionID: session.id, storedName: stored, url: "http://chat.example\(MediaPath.prefix)\(stored)",
                                    fileName: name, contentType: FileKind.png.contentType, size: bytes.count, messageID: nil,
                                    uploadedByEndUser: visitor ?? session.visitorID, uploadedByAgent: nil)
        try await store.insert(attachment)
        return attachment
    }
}
