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
