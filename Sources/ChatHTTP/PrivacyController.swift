import ChatDomain
import ChatRealtime
import Vapor

/// A business admin's privacy tools: `GET /chat/visitors/<id>/export/` (or
/// `/chat/visitors/export/?external_customer_id=`) and `DELETE /chat/visitors/<id>/`.
package struct PrivacyController: RouteCollection {
    struct ExportPayload: Encodable, Sendable {
        let export: Privacy.Export

        func encode(to encoder: any Encoder) throws {
            enum Keys: String, CodingKey { case visitor, sessions }
            enum VisitorKeys: String, CodingKey { case id, external_customer_id, name, email, created_at }
            var c = encoder.container(keyedBy: Keys.self)
            var visitor = c.nestedContainer(keyedBy: VisitorKeys.self, forKey: .visitor)
            try visitor.encode(export.visitor.id.lowercasedText, forKey: .id)
            try visitor.encode(export.visitor.externalCustomerID, forKey: .external_customer_id)
            try visitor.encode(export.visitor.name, forKey: .name)
            try visitor.encode(export.visitor.email, forKey: .email)
            try visitor.encode(WireTime.iso(export.visitor.createdAt), forKey: .created_at)
            try c.encode(export.sessions.map(SessionPayload.init), forKey: .sessions)
        }
    }

    struct SessionPayload: Encodable, Sendable {
        let entry: Privacy.Export.Session

        func encode(to encoder: any Encoder) throws {
            enum Keys: String, CodingKey { case id, department_id, started_at, ended_at, messages, attachments, rating }
            enum FileKeys: String, CodingKey { case url, file_name, content_type, size, uploaded_at }
            enum RatingKeys: String, CodingKey { case score, comment, rated_at }
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(entry.session.id.lowercasedText, forKey: .id)
            try c.encode(entry.session.departmentID?.lowercasedText, forKey: .department_id)
            try c.encode(WireTime.iso(entry.session.startedAt), forKey: .started_at)
            try c.encode(entry.session.endedAt.map(WireTime.iso), forKey: .ended_at)
            try c.encode(entry.messages, forKey: .messages)
            var files = c.nestedUnkeyedContainer(forKey: .attachments)
            for attachment in entry.attachments {
                var file = files.nestedContainer(keyedBy: FileKeys.self)
                try file.encode(attachment.url, forKey: .url)
                try file.encode(attachment.fileName, forKey: .file_name)
                try file.encode(attachment.contentType, forKey: .content_type)
                try file.encode(attachment.size, forKey: .size)
                try file.encode(WireTime.iso(attachment.createdAt), forKey: .uploaded_at)
            }
            if let rating = entry.rating {
                var r = c.nestedContainer(keyedBy: RatingKeys.self, forKey: .rating)
                try r.encode(rating.score, forKey: .score)
                try r.encode(rating.comment, forKey: .comment)
                try r.encode(WireTime.iso(rating.createdAt), forKey: .rated_at)
            } else {
                try c.encodeNil(forKey: .rating)
            }
        }
    }

    package init() {}

    package func boot(routes: any RoutesBuilder) throws {
        let visitors = routes.grouped("chat", "visitors")
        visitors.get("export", use: exportByCustomer)
        visitors.get(":visitor", "export", use: export)
        visitors.delete(":visitor", use: erase)
    }

    @Sendable
    func export(req: Request) async throws -> Response {
        let business = try await req.managedBusiness().id
        let visitor = try await req.chat.privacy.visitor(try visitorID(req), externalCustomerID: nil, in: business)
        return try await exported(visitor, req)
    }

    @Sendable
    func exportByCustomer(req: Request) async throws -> Response {
        let business = try await req.managedBusiness().id
        let customer = try req.queryText("external_customer_id", maxLength: 255)
        let visitor = try await req.chat.privacy.visitor(nil, externalCustomerID: customer, in: business)
        return try await exported(visitor, req)
    }

    private func exported(_ visitor: Visitor, _ req: Request) async throws -> Response {
        let export = try await req.chat.privacy.export(visitor)
        return try Envelope(message: "Visitor data exported successfully", data: ExportPayload(export: export)).response()
    }

    @Sendable
    func erase(req: Request) async throws -> Response {
        let business = try await req.managedBusiness().id
        let visitor = try await req.chat.privacy.visitor(try visitorID(req), externalCustomerID: nil, in: business)
        try await req.chat.privacy.erase(visitor)
        return Response(status: .noContent)
    }

    private func visitorID(_ req: Request) throws -> UUID {
        guard let raw = req.parameters.get("visitor"), let id = UUID(text: raw) else { throw ChatError.visitorNotFound }
        return id
    }
}
