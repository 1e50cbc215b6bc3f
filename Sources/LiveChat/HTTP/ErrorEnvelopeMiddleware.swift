import Vapor

/// Turns every error into the contract's `{"message": ..., "errors": {...}}` with its status.
/// Unknown errors become a 500 with a generic sentence: no internals, no stack trace.
struct ErrorEnvelopeMiddleware: AsyncMiddleware {
    struct Body: Encodable {
        let message: String
        let errors: [String: [String]]?
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            return Self.response(for: error, request: request)
        }
    }

    static func response(for error: any Error, request: Request) -> Response {
        let status: HTTPResponseStatus
        let body: Body
        switch error {
        case let chat as ChatError:
            status = chat.status
            body = Body(message: chat.reason, errors: chat.fieldErrors.isEmpty ? nil : chat.fieldErrors)
        case let abort as any AbortError:
            status = abort.status
            body = Body(message: message(for: abort.status, reason: abort.reason), errors: nil)
        case is DecodingError:
            status = .badRequest
            body = Body(message: "Malformed request body.", errors: nil)
        default:
            request.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.url.path)"])
            status = .internalServerError
            body = Body(message: "Something went wrong on our side. Please try again.", errors: nil)
        }
        let response = Response(status: status)
        do {
            try response.content.encode(body, as: .json)
        } catch {
            response.body = .init(string: #"{"message":"Error"}"#)
        }
        return response
    }

    private static func message(for status: HTTPResponseStatus, reason: String) -> String {
        switch status {
        case .payloadTooLarge: "The request body is too large."
        case .notFound: "Not found."
        case .methodNotAllowed: "Method not allowed."
        case .unsupportedMediaType: "Unsupported media type."
        default: reason.isEmpty ? status.reasonPhrase : reason
        }
    }
}
