import ChatDomain
import ChatRealtime
import Vapor

/// `GET`/`POST /chat/canned-responses/`, `PATCH`/`DELETE /chat/canned-responses/<id>/`: every
/// agent of the business reads them (`?q=` filters), its business admins write them (the platform
/// admin names the business with `?business=`).
package struct CannedResponsesController: RouteCollection {
    struct Payload: Content {
        let id: String
        let shortcut: String
        let content: String
        let created_at: String

        init(_ response: CannedResponse) {
            id = response.id.lowercasedText
            shortcut = response.shortcut
            content = response.content
            created_at = WireTime.iso(response.createdAt)
        }
    }

    package init() {}

    package func boot(routes: any RoutesBuilder) throws {
        let canned = routes.grouped("chat", "canned-responses")
        canned.get(use: list)
        canned.post(use: create)
        canned.patch(":response", use: update)
        canned.delete(":response", use: delete)
    }

    @Sendable
    func list(req: Request) async throws -> Response {
        let business = try await req.readableBusiness()
        let query = try req.queryText("q", maxLength: 200)
        let found = try await req.chat.cannedResponses.cannedResponses(of: business, matching: query)
        return try Envelope(message: "Canned responses fetched successfully", data: found.map(Payload.init)).response()
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let business = try await req.managedBusiness().id
        let fields = try req.jsonFields()
        let shortcut = try CannedResponseService.shortcut(try fields.requiredString("shortcut", maxLength: 64))
        let content = try CannedResponseService.cannedContent(try fields.requiredString("content", maxLength: 20_000))
        let created = try await req.chat.cannedResponses.createCannedResponse(in: business, shortcut: shortcut, content: content)
        return try Envelope(message: "Canned response created successfully", data: Payload(created)).response(status: .created)
    }

    @Sendable
    func update(req: Request) async throws -> Response {
        let business = try await req.managedBusiness().id
        let id = try responseID(req)
        let fields = try req.jsonFields()
        let shortcut = try fields.values["shortcut"] == nil ? nil : CannedResponseService.shortcut(try fields.requiredString("shortcut", maxLength: 64))
        let content = try fields.values["content"] == nil ? nil : CannedResponseService.cannedContent(try fields.requiredString("content", maxLength: 20_000))
        guard shortcut != nil || content != nil else { throw ChatError.invalid("content", "This field is required.") }
        let updated = try await req.chat.cannedResponses.updateCannedResponse(id, in: business, shortcut: shortcut, content: content)
        return try Envelope(message: "Canned response updated successfully", data: Payload(updated)).response()
    }

    @Sendable
    func delete(req: Request) async throws -> Response {
        let business = try await req.managedBusiness().id
        let id = try responseID(req)
        try await req.chat.cannedResponses.deleteCannedResponse(id, in: business)
        return try Envelope(message: "Canned response deleted successfully", data: ["id": id.lowercasedText]).response()
    }

    private func responseID(_ req: Request) throws -> UUID {
        guard let raw = req.parameters.get("response"), let id = UUID(text: raw) else { throw ChatError.cannedResponseNotFound }
        return id
    }
}
