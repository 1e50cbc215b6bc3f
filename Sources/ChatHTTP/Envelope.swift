import ChatDomain
import Vapor

/// The seed's success shape: `{"message": "...", "data": ...}`.
struct Envelope<Payload: Encodable & Sendable>: Encodable, Sendable {
    let message: String
    let data: Payload

    func response(status: HTTPResponseStatus = .ok) throws -> Response {
        let response = Response(status: status)
        try response.content.encode(self, as: .json)
        return response
    }
}

/// Absolute URLs of uploaded files: `LIVECHAT_PUBLIC_URL`, else the request's own host.
enum MediaURL {
    static func absolute(_ storedName: String, req: Request) -> String {
        base(req) + MediaPath.prefix + storedName
    }

    static func base(_ req: Request) -> String {
        if let configured = req.webSettings.publicURL { return configured }
        let host = req.headers.first(name: .host) ?? ""
        let safe = !host.isEmpty && host.count <= 255 && host.allSatisfy { $0.isLetter || $0.isNumber || ".-:[]".contains($0) }
        return "http://" + (safe ? host : "localhost")
    }
}
