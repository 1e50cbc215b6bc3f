import ChatDomain
import ChatRealtime
import NIOCore
import NIOHTTP1
import Vapor

/// Turns every error into the contract's `{"message": ..., "errors": {...}}` with its status
/// (`ChatError+HTTP.swift`). Unknown errors become a 500 with a generic sentence: no internals,
/// no stack trace.
package struct ErrorEnvelopeMiddleware: AsyncMiddleware {
    struct Body: Encodable {
        let message: String
        let errors: [String: [String]]?
    }

    package init() {}

    package func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            return Self.response(for: error, request: request)
        }
    }

    static func response(for error: any Error, request: Request) -> Response {
        let status: HTTPResponseStatus
        let body: Body
        var headers: HTTPHeaders = [:]
        switch error {
        case let chat as ChatError:
            status = chat.status
            headers = chat.headers
            body = Body(message: chat.message, errors: chat.fields.isEmpty ? nil : chat.fields)
        case let limit as LimitRefusal:
            status = .tooManyRequests
            headers = ["Retry-After": "\(limit.retryAfter)"]
            body = Body(message: limit.message, errors: nil)
        case let refusal as HTTPRefusal:
            status = refusal.status
            body = Body(message: refusal.message, errors: nil)
        case let endpoint as SocketEndpointError:
            let refusal = HTTPRefusal(endpoint)
            status = refusal.status
            body = Body(message: refusal.message, errors: nil)
        case let abort as any AbortError:
            status = abort.status
            body = Body(message: message(for: abort.status, reason: abort.reason), errors: nil)
        case is DecodingError:
            status = .badRequest
            body = Body(message: "Malformed request body.", errors: nil)
        case is ChannelError, is IOError, is HTTPParserError:
            // The client went away or broke the request mid-body: its fault, not ours (no 500, no error log).
            request.logger.info("request ended early", metadata: ["path": "\(request.url.path)"])
            status = .badRequest
            body = Body(message: "The request ended before its body was complete.", errors: nil)
        default:
            // The error's description only: a database error's reflection would print the query's bind values.
            request.logger.error("unhandled error", metadata: ["error": "\(type(of: error)): \(error)", "path": "\(request.url.path)"])
            status = .internalServerError
            body = Body(message: "Something went wrong on our side. Please try again.", errors: nil)
        }
        let response = Response(status: status, headers: headers)
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
