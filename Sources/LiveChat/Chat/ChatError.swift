import Vapor

/// Every refusal the HTTP API gives, with the contract's status and a human sentence.
/// `ErrorMiddleware` turns it into `{"message": ..., "errors": {...}}`.
struct ChatError: AbortError, Sendable {
    let status: HTTPResponseStatus
    let reason: String
    let fieldErrors: [String: [String]]

    init(_ status: HTTPResponseStatus, _ reason: String, fields: [String: [String]] = [:]) {
        self.status = status
        self.reason = reason
        self.fieldErrors = fields
    }

    static func invalid(_ field: String, _ problem: String) -> ChatError {
        ChatError(.badRequest, "The request is invalid.", fields: [field: [problem]])
    }

    static let unauthenticated = ChatError(.unauthorized, "Authentication credentials were not provided or are invalid.")
    static let forbidden = ChatError(.forbidden, "You do not have permission to perform this action.")
    static let sessionNotFound = ChatError(.notFound, "Chat session not found.")
    static let businessNotFound = ChatError(.notFound, "Business not found.")
    static let sessionEnded = ChatError(.conflict, "This session has ended. No further communication is allowed.")
}
