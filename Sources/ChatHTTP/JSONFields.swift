import ChatDomain
import Foundation

/// A request's JSON object body, read field by field with the contract's 400 for a wrong type.
struct JSONFields: Sendable {
    let values: [String: JSONValue]

    init(_ data: Data?) throws {
        guard let data, !data.isEmpty else {
            values = [:]
            return
        }
        guard let object = try? JSONDecoder().decode([String: JSONValue].self, from: data) else {
            throw ChatError.malformedJSON
        }
        values = object
    }

    /// A string field; nil when absent or null.
    func string(_ key: String, maxLength: Int = 255) throws -> String? {
        switch values[key] {
        case nil, .null?: return nil
        case .string(let value)?:
            // Characters, and bytes too: one character can hold any number of combining marks.
            guard value.count <= maxLength, value.utf8.count <= maxLength * 4 else {
                throw ChatError.invalid(key, "Ensure this field has no more than \(maxLength) characters.")
            }
            // Neither store keeps it (PostgreSQL refuses it in text, SQLite's C strings end at it).
            guard !value.utf8.contains(0) else { throw ChatError.invalid(key, "Must not contain the NUL character (U+0000).") }
            return value
        default: throw ChatError.invalid(key, "Must be a string.")
        }
    }

    /// A string field that may be cleared: nil when absent, `.some(nil)` when null.
    func clearableString(_ key: String, maxLength: Int) throws -> String?? {
        guard let value = values[key] else { return nil }
        if value == .null { return .some(nil) }
        return .some(try string(key, maxLength: maxLength))
    }

    /// A whole number; nil when absent or null.
    func integer(_ key: String) throws -> Int? {
        switch values[key] {
        case nil, .null?: return nil
        case .number(let value)? where value.rounded() == value && abs(value) < 1e15: return Int(value)
        default: throw ChatError.invalid(key, "Must be an integer.")
        }
    }

    /// A JSON object field, its members by name; nil when absent or null.
    func object(_ key: String) throws -> [String: JSONValue]? {
        switch values[key] {
        case nil, .null?: return nil
        case .object(let members)?: return members
        default: throw ChatError.invalid(key, "Must be a JSON object.")
        }
    }

    func requiredString(_ key: String, maxLength: Int = 255) throws -> String {
        guard let value = try string(key, maxLength: maxLength)?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            throw ChatError.invalid(key, "This field is required.")
        }
        return value
    }

    func uuid(_ key: String) throws -> UUID? {
        guard let raw = try string(key, maxLength: 64), !raw.isEmpty else { return nil }
        guard let id = UUID(text: raw) else { throw ChatError.invalid(key, "Must be a valid UUID.") }
        return id
    }

    func bool(_ key: String) throws -> Bool? {
        switch values[key] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        default: throw ChatError.invalid(key, "Must be true or false.")
        }
    }

    func stringList(_ key: String) throws -> [String]? {
        switch values[key] {
        case nil, .null?: return nil
        case .array(let items)?:
            return try items.map {
                guard case .string(let s) = $0, !s.isEmpty, s.count <= 255 else { throw ChatError.invalid(key, "Must be a list of strings.") }
                return s
            }
        default: throw ChatError.invalid(key, "Must be a list of strings.")
        }
    }
}
