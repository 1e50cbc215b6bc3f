import Foundation
import Foundation

/// What a client may send over the chat socket, read from its JSON: each frame's fields with
/// their types checked. `Refusal` carries the error sentence. What a text message must be is the
/// domain's rule (`MessageFlow.text`).
package enum InboundFrame: Sendable, Equatable {
    case text(content: String, clientID: String?)
    /// A private note (agents only; the rule is the domain's `MessageFlow.note`).
    case note(content: String, clientID: String?)
    case file(url: String, isAudio: Bool, clientID: String?)
    case endSession
    case typing(Bool)
    case read(messageID: UUID)

    package struct Refusal: Error, Equatable { package let message: String }

    private struct Raw {
        let fields: [String: JSONValue]
        var type: JSONValue? { fields["type"] }
        var content: JSONValue? { fields["content"] }
        var file: JSONValue? { fields["file"] }
        var is_audio: JSONValue? { fields["is_audio"] }
        var client_id: JSONValue? { fields["client_id"] }
        var is_typing: JSONValue? { fields["is_typing"] }
        var message_id: JSONValue? { fields["message_id"] }
    }

    /// Frames nested deeper than this are refused as not a JSON object (no client frame nests at all).
    package static let maxNesting = 32

    package static func parse(_ bytes: some Collection<UInt8>) -> Result<InboundFrame, Refusal> {
        guard let fields = FlatJSON.object(bytes)
                ?? (FlatJSON.nests(within: maxNesting, bytes) ? try? JSONDecoder().decode([String: JSONValue].self, from: Data(bytes)) : nil)
        else {
            return .failure(Refusal(message: "Invalid message: expected a JSON object."))
        }
        let raw = Raw(fields: fields)
        guard case .string(let type)? = raw.type else {
            return .failure(Refusal(message: "Invalid message: \"type\" must be a string."))
        }
        let clientID: String?
        switch raw.client_id {
        case nil, .null?: clientID = nil
        case .string(let value)? where !value.isEmpty && value.count <= 100 && value.utf8.count <= 400 && !value.utf8.contains(0): clientID = value
        default: return .failure(Refusal(message: "Invalid message: \"client_id\" must be a string of 1 to 100 characters."))
        }
        switch type {
        case "text":
            guard case .string(let content)? = raw.content else {
                return .failure(Refusal(message: "Invalid message: \"content\" must be a string."))
            }
            return .success(.text(content: content, clientID: clientID))
        case "note":
            guard case .string(let content)? = raw.content else {
                return .failure(Refusal(message: "Invalid message: \"content\" must be a string."))
            }
            return .success(.note(content: content, clientID: clientID))
        case "file":
            guard case .string(let url)? = raw.file, !url.isEmpty, url.utf8.count <= 2048 else {
                return .failure(Refusal(message: "Invalid message: \"file\" must be the URL of an uploaded file."))
            }
            let isAudio: Bool
            switch raw.is_audio {
            case nil, .null?: isAudio = false
            case .bool(let value)?: isAudio = value
            default: return .failure(Refusal(message: "Invalid message: \"is_audio\" must be true or false."))
            }
            return .success(.file(url: url, isAudio: isAudio, clientID: clientID))
        case "end_session":
            return .success(.endSession)
        case "typing":
            switch raw.is_typing {
            case nil, .null?: return .success(.typing(true))
            case .bool(let value)?: return .success(.typing(value))
            default: return .failure(Refusal(message: "Invalid message: \"is_typing\" must be true or false."))
            }
        case "read":
            guard case .string(let value)? = raw.message_id, let id = UUID(text: value) else {
                return .failure(Refusal(message: "Invalid message: \"message_id\" must be the id of a message of this session."))
            }
            return .success(.read(messageID: id))
        case "session_ended", "connection_established", "error", "participant_joined", "participant_left",
             "session_assigned", "session_transferred":
            return .failure(Refusal(message: "Message type \"\(type)\" is sent by the server only."))
        default:
            return .failure(Refusal(message: "Unknown message type \"\(type)\"."))
        }
    }
}
