import Foundation
@testable import ChatDomain

/// `ReportStore`: what the real store's five queries read for `from ..< until`.
extension InMemoryStore: ReportStore {
    func reportRows(of business: UUID, from: Date, until: Date) async throws -> Reports.Rows {
        reading { tables in
            func within(_ date: Date) -> Bool { date >= from && date < until }
            let sessions = tables.sessions.filter { $0.businessID == business }
            let ids = Set(sessions.map(\.id))
            let messages = tables.messages.map(\.wire).filter { ids.contains($0.sessionID) }
            var rows = Reports.Rows()
            let started = sessions.filter { within($0.startedAt) }
            rows.started = started.map { ($0.startedAt, $0.endedAt) }
            rows.endedAt = sessions.compactMap(\.endedAt).filter(within)
            for message in messages where within(message.createdAt) && !message.isPrivate {
                rows.messagesByDay[Reports.dayNumber(of: message.createdAt), default: 0] += 1
            }
            // Each started session's first visitor message, and the first agent message (not a note) after it.
            for session in started {
                let own = messages.filter { $0.sessionID == session.id }
                guard let firstVisitor = own.filter({ $0.senderType == "visitor" }).map(\.createdAt).min() else { continue }
                guard let firstAgent = own.filter({ $0.senderType == "agent" && !$0.isPrivate && $0.createdAt > firstVisitor })
                    .map(\.createdAt).min() else { continue }
                rows.firstResponses.append((session.startedAt, firstAgent.timeIntervalSince(firstVisitor)))
            }
            rows.ratings = tables.ratings.filter { $0.businessID == business && within($0.createdAt) }.map { ($0.createdAt, $0.score) }
            return rows
        }
    }
}
