import Foundation

/// What a client may send over the chat socket, validated. `Refusal` carries the error sentence.
enum InboundFrame: Sendable, Equatable {
    case text(content: String, clientID: String?)
    case file(url: String, isAudio: Bool, clientID: String?)
    case endSession
    case typing(Bool)
    case read(messageID: UUID)

    struct Refusal: Error, Equatable { let message: String }

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

    static func parse(_ bytes: some Collection<UInt8>, maxText: Int) -> Result<InboundFrame, Refusal> {
        guard let fields = FlatJSON.object(bytes) ?? (try? JSONDecoder().decode([String: JSONValue].self, from: Data(bytes))) else {
            return .failure(Refusal(message: "Invalid message: expected a JSON object."))
        }
        let raw = Raw(fields: fields)
        guard case .string(let type)? = raw.type else {
            return .failure(Refusal(message: "Invalid message: \"type\" must be a string."))
        }
        let clientID: String?
        switch raw.client_id {
        case nil, .null?: clientID = nil
        case .string(let value)? where !value.isEmpty && value.count <= 100: clientID = value
        default: return .failure(Refusal(message: "Invalid message: \"client_id\" must be a string of 1 to 100 characters."))
        }
        switch type {
        case "text":
            guard case .string(let content)? = raw.content else {
                return .failure(Refusal(message: "Invalid message: \"content\" must be a string."))
            }
            let trimmed = withoutSurroundingSpace(content)
            guard !trimmed.isEmpty else { return .failure(Refusal(message: "Message content cannot be empty.")) }
            // Characters never outnumber UTF-8 bytes: count them only when the bytes could be too many.
            guard trimmed.utf8.count <= maxText || trimmed.count <= maxText else {
                return .failure(Refusal(message: "Message content is too long (at most \(maxText) characters)."))
            }
            return .success(.text(content: trimmed, clientID: clientID))
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
            guard case .string(let value)? = raw.message_id, let id = UUID(uuidString: value) else {
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

    /// The text without leading and trailing white space (spaces, tabs, line breaks), looked
    /// up through Foundation only when the text starts or ends with something other than a
    /// visible ASCII character (most chat messages do not).
    private static func withoutSurroundingSpace(_ text: String) -> String {
        func visibleASCII(_ byte: UInt8?) -> Bool { byte.map { $0 > 0x20 && $0 < 0x7F } ?? false }
        if visibleASCII(text.utf8.first), visibleASCII(text.utf8.last) { return text }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
