import ChatDomain
import Fluent
import Foundation
import SQLKit

/// What a business's report is made of.
package struct FluentReportStore: ReportStore {
    let db: any Database

    package init(db: any Database) {
        self.db = db
    }

    /// Five queries whatever the period: the sessions started in it, those ended in it, the
    /// messages per day (grouped in SQL: dates are seconds as REAL in SQLite, `timestamptz` in
    /// PostgreSQL), each started session's first visitor message and the agent's first reply after
    /// it, and the ratings given in it.
    package func reportRows(of business: UUID, from: Date, until: Date) async throws -> Reports.Rows {
        let sql = try db.sql()
        var rows = Reports.Rows()
        rows.started = try await sql.raw("""
            SELECT started_at, ended_at FROM chat_sessions
            WHERE business_id = \(bind: business) AND started_at >= \(bind: from) AND started_at < \(bind: until)
            """).all().map { (try $0.decode(column: "started_at", as: Date.self), try $0.decode(column: "ended_at", as: Date?.self)) }
        rows.endedAt = try await sql.raw("""
            SELECT ended_at FROM chat_sessions
            WHERE business_id = \(bind: business) AND ended_at >= \(bind: from) AND ended_at < \(bind: until)
            """).all().map { try $0.decode(column: "ended_at", as: Date.self) }
        let day: SQLQueryString = sql.dialect.name == "postgresql"
            ? "CAST(FLOOR(EXTRACT(EPOCH FROM m.created_at) / 86400) AS BIGINT)" : "CAST(m.created_at / 86400 AS INTEGER)"
        for row in try await sql.raw("""
            SELECT \(day) AS day, COUNT(*) AS count FROM chat_messages m JOIN chat_sessions s ON s.id = m.session_id
            WHERE s.business_id = \(bind: business) AND m.created_at >= \(bind: from) AND m.created_at < \(bind: until)
              AND m.type <> \(bind: WireMessage.noteType)
            GROUP BY \(day)
            """).all() {
            rows.messagesByDay[try row.decode(column: "day", as: Int.self)] = try row.decode(column: "count", as: Int.self)
        }
        rows.firstResponses = try await sql.raw("""
            SELECT v.started_at AS started_at, v.first_visitor AS first_visitor,
                   (SELECT MIN(a.created_at) FROM chat_messages a WHERE a.session_id = v.session_id AND a.sender_type = 'agent'
                      AND a.type <> \(bind: WireMessage.noteType) AND a.created_at > v.first_visitor) AS first_agent
            FROM (SELECT m.session_id AS session_id, s.started_at AS started_at, MIN(m.created_at) AS first_visitor
                  FROM chat_messages m JOIN chat_sessions s ON s.id = m.session_id
                  WHERE s.business_id = \(bind: business) AND s.started_at >= \(bind: from) AND s.started_at < \(bind: until)
                    AND m.sender_type = 'visitor'
                  GROUP BY m.session_id, s.started_at) v
            """).all().compactMap { row in
                guard let agent = try row.decode(column: "first_agent", as: Date?.self) else { return nil }
                let visitor = try row.decode(column: "first_visitor", as: Date.self)
                return (try row.decode(column: "started_at", as: Date.self), agent.timeIntervalSince(visitor))
            }
        rows.ratings = try await sql.raw("""
            SELECT created_at, score FROM session_ratings
            WHERE business_id = \(bind: business) AND created_at >= \(bind: from) AND created_at < \(bind: until)
            """).all().map { (try $0.decode(column: "created_at", as: Date.self), try $0.decode(column: "score", as: Int.self)) }
        return rows
    }
}
