import Fluent
import Vapor

/// `GET /demo.json`: the demo business the demo page embeds (404 when the demo is off).
struct DemoController: RouteCollection {
    struct Payload: Content {
        let business: String
        let department: String?
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("demo.json", use: demo)
    }

    @Sendable
    func demo(req: Request) async throws -> Response {
        guard req.chat.config.seedDemo,
              let business = try await Business.query(on: req.db).filter(\.$name == DemoSeed.businessName).first(),
              let id = business.id
        else { throw ChatError(.notFound, "The demo is turned off on this server.") }
        let department = try await Department.query(on: req.db).filter(\.$businessID == id).first()
        return try Envelope(message: "Demo business", data: Payload(
            business: id.lowercasedText, department: department?.id?.lowercasedText)).response()
    }
}
