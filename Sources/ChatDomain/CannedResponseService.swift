import Foundation

/// Canned responses: every agent of a business reads them, its business admins write them.
package struct CannedResponseService: Sendable {
    let cannedStore: any CannedResponseStore

    package static let shortcutLimit = 32
    package static let cannedContentLimit = 5000

    /// A shortcut as stored: 1 to 32 characters of `a-z`, `0-9`, `_` and `-` (a leading `/` is dropped).
    package static func shortcut(_ raw: String) throws -> String {
        let shortcut = raw.hasPrefix("/") ? String(raw.dropFirst()) : raw
        guard !shortcut.isEmpty, shortcut.count <= shortcutLimit,
              shortcut.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }) else {
            throw ChatError.invalid("shortcut", "1 to 32 characters of a-z, 0-9, _ and -.")
        }
        return shortcut
    }

    package static func cannedContent(_ raw: String) throws -> String {
        let content = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !content.isEmpty else { throw ChatError.invalid("content", "This field may not be blank.") }
        guard content.count <= cannedContentLimit else {
            throw ChatError.invalid("content", "Ensure this field has no more than \(cannedContentLimit) characters.")
        }
        return content
    }

    package func cannedResponses(of business: UUID, matching query: String?) async throws -> [CannedResponse] {
        let trimmed = query?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let matching = trimmed.map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 }.flatMap { $0.isEmpty ? nil : $0 }
        return try await cannedStore.cannedResponses(of: business, matching: matching)
    }

    package func createCannedResponse(in business: UUID, shortcut: String, content: String) async throws -> CannedResponse {
        let response = CannedResponse(businessID: business, shortcut: shortcut, content: content)
        if try await cannedStore.cannedResponse(business: business, shortcut: shortcut) != nil { throw ChatError.shortcutTaken }
        do {
            try await cannedStore.insert(response)
        } catch {
            if try await cannedStore.cannedResponse(business: business, shortcut: shortcut) != nil { throw ChatError.shortcutTaken }
            throw error
        }
        return response
    }

    /// One of the business's canned responses; another business's is not found.
    package func cannedResponse(_ id: UUID, in business: UUID) async throws -> CannedResponse {
        guard let found = try await cannedStore.cannedResponse(id), found.businessID == business else { throw ChatError.cannedResponseNotFound }
        return found
    }

    package func updateCannedResponse(_ id: UUID, in business: UUID, shortcut: String?, content: String?) async throws -> CannedResponse {
        var response = try await cannedResponse(id, in: business)
        if let shortcut, shortcut != response.shortcut {
            if try await cannedStore.cannedResponse(business: business, shortcut: shortcut) != nil { throw ChatError.shortcutTaken }
            response.shortcut = shortcut
        }
        if let content { response.content = content }
        do {
            try await cannedStore.update(response)
        } catch {
            if let other = try await cannedStore.cannedResponse(business: business, shortcut: response.shortcut), other.id != id {
                throw ChatError.shortcutTaken
            }
            throw error
        }
        return response
    }

    package func deleteCannedResponse(_ id: UUID, in business: UUID) async throws {
        _ = try await cannedResponse(id, in: business)
        try await cannedStore.deleteCannedResponse(id)
    }
}
