import ChatDomain
import Foundation
import NIOCore

/// Frames the server sends that are not chat messages or feed events.
enum ServerFrame {
    static func connectionEstablished(_ session: UUID) -> [String: String] {
        ["type": "connection_established", "session_id": session.lowercasedText]
    }

    static func sessionEnded(_ session: UUID, at date: Date) -> [String: String] {
        ["type": "session_ended", "message": "The session has ended.", "timestamp": WireTime.iso(date),
         "session_id": session.lowercasedText]
    }

    static func error(_ message: String) -> [String: String] {
        ["type": "error", "message": message]
    }
}

enum JSONFrame {
    static func encode<T: Encodable>(_ value: T, allocator: ByteBufferAllocator) -> ByteBuffer {
        let data = (try? JSONEncoder().encode(value)) ?? Data("{}".utf8)
        var buffer = allocator.buffer(capacity: data.count)
        buffer.writeBytes(data)
        return buffer
    }
}
