import ChatDomain
import ChatRealtime
import Vapor

/// The one mapping from the chat's refusals to the contract's HTTP answers: a status, the
/// sentence and the per-field problems (`{"message": ..., "errors": {...}}`).
extension ChatError {
    var status: HTTPResponseStatus {
        switch self {
        case .invalid, .invalidFields, .malformedJSON, .tokenNotRevocable, .emptyMessage, .nulCharacter, .messageTooLong, .unknownFile, .unknownMessage: .badRequest
        case .unauthenticated, .invalidCredentials: .unauthorized
        case .forbidden, .notesForAgentsOnly, .agentDeactivated, .originNotAllowed, .customerTokenInvalid, .customerTokenMismatch, .customerIDUnproven, .wrongUploader: .forbidden
        case .sessionNotFound, .businessNotFound, .departmentNotFound, .agentNotFound, .keyNotFound, .fileNotFound, .noActiveSession, .demoOff,
             .cannedResponseNotFound, .webhookNotFound, .visitorNotFound: .notFound
        case .emailTaken, .shortcutTaken, .alreadyRated, .sessionNotEnded, .alreadyAssigned, .sessionEnded: .conflict
        case .fileTooLarge, .uploadQuotaReached: .payloadTooLarge
        case .fileTypeNotAllowed, .notJSON: .unsupportedMediaType
        case .tooManyAttempts: .tooManyRequests
        case .notStored: .internalServerError
        case .shuttingDown: .serviceUnavailable
        }
    }

    /// Headers the answer carries besides its body.
    var headers: HTTPHeaders {
        if case .tooManyAttempts(let wait) = self { return ["Retry-After": "\(wait)"] }
        return [:]
    }
}

/// Refusals of the HTTP layer itself, before a request reaches the chat's rules.
enum HTTPRefusal: Error {
    case upgradeRequired
    case notMultipart
    case malformedMultipart

    var status: HTTPResponseStatus {
        switch self {
        case .upgradeRequired: .upgradeRequired
        case .notMultipart: .unsupportedMediaType
        case .malformedMultipart: .badRequest
        }
    }

    var message: String {
        switch self {
        case .upgradeRequired: "This endpoint only speaks WebSocket."
        case .notMultipart: "The body must be multipart/form-data with a boundary."
        case .malformedMultipart: "Malformed multipart body."
        }
    }

    init(_ error: SocketEndpointError) {
        switch error {
        case .upgradeRequired: self = .upgradeRequired
        }
    }
}
