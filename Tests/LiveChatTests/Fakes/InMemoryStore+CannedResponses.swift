import Foundation
@testable import ChatDomain

/// `CannedResponseStore`: a shortcut once per business (the unique index `business_id, shortcut`).
extension InMemoryStore: CannedResponseStore {
    func insert(_ response: CannedResponse) async throws {
        try withTables { tables in
            guard !tables.cannedResponses.contains(where: { $0.id == response.id }) else {
                throw FakeStoreError.uniqueViolation("canned_responses.id")
            }
            try tables.requireUniqueShortcut(response)
            try tables.requireBusiness(response.businessID)
            tables.cannedResponses.append(response)
        }
    }

    func cannedResponse(_ id: UUID) async throws -> CannedResponse? {
        reading { $0.cannedResponses.first { $0.id == id } }
    }

    /// Writes the shortcut and the content (nothing when there is no such id).
    func update(_ response: CannedResponse) async throws {
        try withTables { tables in
            guard let index = tables.cannedResponses.firstIndex(where: { $0.id == response.id }) else { return }
            let stored = tables.cannedResponses[index]
            try tables.requireUniqueShortcut(CannedResponse(id: stored.id, businessID: stored.businessID, shortcut: response.shortcut,
                                                            content: response.content))
            tables.cannedResponses[index].shortcut = response.shortcut
            tables.cannedResponses[index].content = response.content
        }
    }

    func deleteCannedResponse(_ id: UUID) async throws {
        reading { $0.cannedResponses.removeAll { $0.id == id } }
    }

    /// By shortcut; with `matching` (lower-cased here, as the real store does), those whose
    /// shortcut starts with it or whose content contains it, ignoring case.
    func cannedResponses(of business: UUID, matching: String?) async throws -> [CannedResponse] {
        let pattern = matching?.lowercased()
        return reading { tables in
            tables.cannedResponses.filter { response in
                guard response.businessID == business else { return false }
                guard let pattern else { return true }
                return response.shortcut.lowercased().hasPrefix(pattern) || response.content.lowercased().contains(pattern)
            }
        }.sorted { $0.shortcut < $1.shortcut }
    }

    func cannedResponse(business: UUID, shortcut: String) async throws -> CannedResponse? {
        reading { $0.cannedResponses.first { $0.businessID == business && $0.shortcut == shortcut } }
    }
}

extension Tables {
    func requireUniqueShortcut(_ response: CannedResponse) throws {
        if cannedResponses.contains(where: { $0.businessID == response.businessID && $0.shortcut == response.shortcut && $0.id != response.id }) {
            throw FakeStoreError.uniqueViolation("canned_responses.business_id_shortcut")
        }
    }
}
