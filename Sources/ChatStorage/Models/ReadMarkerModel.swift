import Fluent
import Foundation

/// How far a participant has read a session: every message up to `lastReadSeq`.
/// `@unchecked Sendable`: see `BusinessModel`.
final class ReadMarkerModel: Model, @unchecked Sendable {
    static let schema = "read_markers"

    @ID(key: .id) var id: UUID?
    @Field(key: "session_id") var sessionID: UUID
    @Field(key: "reader_id") var readerID: UUID
    @Field(key: "last_read_seq") var lastReadSeq: Int
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}
