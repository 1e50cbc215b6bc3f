import ChatDomain
import ChatRealtime
import Vapor

/// `GET /demo.json`: the demo business the demo page embeds (404 when the demo is off).
package struct DemoController: RouteCollection {
    struct Payload: Content {
        let business: String
        let department: String?
    }

    package init() {}

    package func boot(routes: any RoutesBuilder) throws {
        routes.get("demo.json", use: demo)
    }

    @Sendable
    func demo(req: Request) async throws -> Response {
        guard req.webSettings.demo, let demo = try await req.chat.team.existingDemo() else { throw ChatError.demoOff }
        return try Envelope(message: "Demo business", data: Payload(
            business: demo.business.lowercasedText, department: demo.department?.lowercasedText)).response()
    }
}
