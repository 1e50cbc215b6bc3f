import Fluent
import Foundation

/// Read markers: how far each participant has read a session. They only move forward.
struct ReadMarkers: Sendable {
    let db: any Database

    /// Records that `reader` has read up to `seq`; returns false when it had read further already.
    @discardableResult
    func advance(session: UUID, reader: UUID, to seq: Int, retrying: Bool = true) async throws -> Bool {
        let now = WireTime.now()
        let moved = try await db.sql().raw("""
            UPDATE read_markers SET last_read_seq = \(bind: seq), updated_at = \(bind: now)
            WHERE session_id = \(bind: session) AND reader_id = \(bind: reader) AND last_read_seq < \(bind: seq) RETURNING id
            """).all()
        if !moved.isEmpty { return true }
        if try await ReadMarker.query(on: db).filter(\.$sessionID == session).filter(\.$readerID == reader).first() != nil {
            return false
        }
        let marker = ReadMarker()
        marker.id = UUID()
        marker.sessionID = session
        marker.readerID = reader
        marker.lastReadSeq = seq
        marker.updatedAt = now
        do {
            try await marker.create(on: db)
            return true
        } catch {
            // Created meanwhile by the same reader on another socket: move it forward instead.
            guard retrying else { throw error }
            return try await advance(session: session, reader: reader, to: seq, retrying: false)
        }
    }
}
