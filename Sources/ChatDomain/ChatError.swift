/// Every refusal of the chat's rules, with the contract's sentence. No status or close code here:
/// the HTTP layer maps each case to its status (`ChatError+HTTP.swift`), the socket layer to an
/// error frame or a close code (`SocketAnswer.swift`).
package enum ChatError: Error, Equatable, Sendable {
    /// A field of the request is missing or wrong.
    case invalid(field: String, problem: String)
    /// Several fields of one form wrong at once, each with its problems (answered together).
    case invalidFields([String: [String]])
    case malformedJSON
    /// A body sent to a JSON endpoint as another media type (a cross-site form's, say).
    case notJSON
    case unauthenticated
    case invalidCredentials
    case forbidden
    case originNotAllowed
    case customerTokenInvalid
    case customerTokenMismatch
    case customerIDUnproven
    /// An upload names someone other than its caller.
    case wrongUploader(String)
    case sessionNotFound
    case businessNotFound
    case departmentNotFound
    case agentNotFound
    case keyNotFound
    case agentDeactivated
    case tokenNotRevocable
    case fileNotFound
    case noActiveSession
    case demoOff
    case emailTaken
    case shortcutTaken
    case alreadyRated
    case sessionNotEnded
    case cannedResponseNotFound
    case webhookNotFound
    case visitorNotFound
    case alreadyAssigned
    case sessionEnded
    case fileTooLarge(limit: Int)
    case uploadQuotaReached(files: Int, bytes: Int)
    case fileTypeNotAllowed
    case tooManyAttempts(retryAfter: Int)
    /// A chat message refused before it was stored.
    case emptyMessage
    case notesForAgentsOnly
    case nulCharacter
    case messageTooLong(limit: Int)
    case unknownFile
    case unknownMessage
    case notStored
    case shuttingDown

    package static func invalid(_ field: String, _ problem: String) -> ChatError {
        .invalid(field: field, problem: problem)
    }

    /// The contract's sentence for this refusal.
    package var message: String {
        switch self {
        case .invalid, .invalidFields: "The request is invalid."
        case .malformedJSON: "Malformed JSON: the body must be a JSON object."
        case .notJSON: "Unsupported media type: send the body as JSON, with Content-Type: application/json."
        case .unauthenticated: "Authentication credentials were not provided or are invalid."
        case .invalidCredentials: "Invalid email or password."
        case .forbidden: "You do not have permission to perform this action."
        case .originNotAllowed: "This origin is not allowed to open chats for this business."
        case .customerTokenInvalid: "The customer token is invalid or expired."
        case .customerTokenMismatch: "The customer token does not prove this external_customer_id."
        case .customerIDUnproven:
            "An external_customer_id must be proven with a customer_token signed with the business's identity secret."
        case .wrongUploader(let sentence): sentence
        case .sessionNotFound: "Chat session not found."
        case .businessNotFound: "Business not found."
        case .departmentNotFound: "Department not found."
        case .agentNotFound: "Agent not found."
        case .keyNotFound: "Key not found."
        case .agentDeactivated: "This agent account is deactivated."
        case .tokenNotRevocable: "This token has no jti, so it cannot be revoked: it ends at its exp."
        case .fileNotFound: "File not found."
        case .uploadQuotaReached(let files, let bytes):
            "This chat session has reached its upload quota (\(files) files, \(bytes / (1 << 20)) MiB in all)."
        case .noActiveSession: "No active chat session for this visitor."
        case .demoOff: "The demo is turned off on this server."
        case .emailTaken: "An agent with this email already exists."
        case .shortcutTaken: "A canned response with this shortcut already exists."
        case .alreadyRated: "This chat has already been rated."
        case .sessionNotEnded: "A chat can be rated once it has ended."
        case .cannedResponseNotFound: "Canned response not found."
        case .webhookNotFound: "Webhook not found."
        case .visitorNotFound: "Visitor not found."
        case .alreadyAssigned: "This chat is already assigned to another agent."
        case .sessionEnded: "This session has ended. No further communication is allowed."
        case .fileTooLarge(let limit): "The file is too large (at most \(limit) bytes)."
        case .fileTypeNotAllowed: "This file type is not allowed."
        case .tooManyAttempts(let wait): "Too many failed logins. Try again in \(wait) seconds."
        case .emptyMessage: "Message content cannot be empty."
        case .notesForAgentsOnly: "Only agents can write private notes."
        case .nulCharacter: "Invalid message: the NUL character (U+0000) is not allowed."
        case .messageTooLong(let limit): "Message content is too long (at most \(limit) characters)."
        case .unknownFile: "Unknown file: upload it to /chat/upload-file/ for this session first, then send its URL."
        case .unknownMessage: "Invalid message: \"message_id\" must be the id of a message of this session."
        case .notStored: "Your message could not be stored. Please send it again."
        case .shuttingDown: "The server is shutting down. Please send your message again."
        }
    }

    /// The per-field problems that come with the sentence.
    package var fields: [String: [String]] {
        switch self {
        case .invalid(let field, let problem): [field: [problem]]
        case .invalidFields(let problems): problems
        case .departmentNotFound: ["department": ["Unknown department for this business."]]
        case .agentNotFound: ["agent_id": ["Unknown agent for this business."]]
        case .notJSON: ["Content-Type": ["Must be application/json (charset utf-8, if any)."]]
        case .emailTaken: ["email": ["Already in use."]]
        case .shortcutTaken: ["shortcut": ["Already in use."]]
        case .fileTypeNotAllowed:
            ["file": ["Allowed: images (PNG, JPEG, GIF, WebP), PDF, audio (WAV, MP3, OGG, WebM, M4A), MP4, plain text, CSV, DOCX, XLSX, ZIP."]]
        default: [:]
        }
    }
}
