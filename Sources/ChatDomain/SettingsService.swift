import Foundation

/// A business's settings as its admins manage them (`GET`/`PATCH /chat/settings/`), and what its
/// widget reads of them (`GET /chat/widget-config/`).
package struct SettingsService: Sendable {
    let directoryStore: any DirectoryStore
    let presence: Presence
    let team: TeamService

    /// A change to some of a business's settings: nil leaves a setting as it is; for the texts and
    /// the retention, `.some(nil)` clears it.
    package struct SettingsChange: Sendable {
        package var name: String?
        package var greeting: String??
        package var offlineMessage: String??
        package var prechatName: Prechat.Rule?
        package var prechatEmail: Prechat.Rule?
        package var allowedOrigins: [String]?
        package var autoAssign: Bool?
        package var retentionDays: Int??

        package init() {}
    }

    /// The longest greeting or offline message.
    package static let settingsTextLimit = 1000
    package static let retentionRange = 1...3650

    /// The business `caller` manages as its admin: an admin agent's own business (a `requested`
    /// other one is not found), or, for the platform admin, the `requested` one.
    package func managedBusiness(by caller: Identity, requested: UUID?) async throws -> Business {
        switch caller {
        case .admin:
            guard let requested else { throw ChatError.invalid("business", "This field is required.") }
            return try await team.business(requested)
        case .agent(let id, let businessID):
            guard let agent = try await directoryStore.agent(id), agent.isAdmin else { throw ChatError.forbidden }
            if let requested, requested != businessID { throw ChatError.businessNotFound }
            return try await team.business(businessID)
        case .visitor:
            throw ChatError.forbidden
        }
    }

    /// A business admin may not deactivate itself or take its own admin rights away (no business
    /// would be left without one by mistake).
    package static func refuseLockout(by caller: Identity, of agent: UUID, active: Bool?, isAdmin: Bool?) throws {
        guard case .agent(let me, _) = caller, me == agent else { return }
        if active == false { throw ChatError.invalid("active", "You cannot deactivate yourself.") }
        if isAdmin == false { throw ChatError.invalid("is_admin", "You cannot take your own admin rights away.") }
    }

    package func updateSettings(of business: Business, with change: SettingsChange) async throws -> Business {
        var updated = business
        if let name = change.name { updated.name = name }
        if let greeting = change.greeting { updated.greeting = greeting }
        if let offline = change.offlineMessage { updated.offlineMessage = offline }
        if let rule = change.prechatName { updated.prechat.name = rule }
        if let rule = change.prechatEmail { updated.prechat.email = rule }
        if let origins = change.allowedOrigins {
            updated.allowedOrigins = try OriginPolicy.validate(origins, field: "allowed_origins")
        }
        if let autoAssign = change.autoAssign { updated.autoAssign = autoAssign }
        if let retention = change.retentionDays {
            if let days = retention, !Self.retentionRange.contains(days) {
                throw ChatError.invalid("retention_days", "Must be null or a number of days from 1 to 3650.")
            }
            updated.retentionDays = retention
        }
        guard updated != business else { return business }
        try await directoryStore.update(updated)
        return updated
    }

    /// What the widget shows before a chat: the business's texts, its pre-chat form, and whether
    /// an agent is online.
    package struct WidgetConfig: Sendable {
        package let business: Business
        package let online: Bool
    }

    /// The widget's view of a business, for a page at `origin` (refused outside its allowlist).
    package func widgetConfig(of id: UUID, origin: String?) async throws -> WidgetConfig {
        let business = try await team.business(id)
        try OriginPolicy.check(origin, allowed: business.allowedOrigins)
        let agents = try await directoryStore.agents(of: business.id).filter(\.active).map(\.id)
        let online = await !presence.online(among: Set(agents)).isEmpty
        return WidgetConfig(business: business, online: online)
    }
}

/// The name and email a visitor gives the widget's pre-chat form.
package enum VisitorProfile {
    package static let nameLimit = 100

    /// A name as stored: trimmed, 1 to 100 characters.
    package static func name(_ raw: String?) throws -> String? {
        guard let raw else { return nil }
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw ChatError.invalid("name", "This field may not be blank.") }
        guard name.count <= nameLimit else { throw ChatError.invalid("name", "Ensure this field has no more than \(nameLimit) characters.") }
        return name
    }

    /// An email as stored: a `Mailbox`, trimmed and lower-cased.
    package static func email(_ raw: String?) throws -> String? {
        try raw.map { try Mailbox.check($0) }
    }

    /// A start's answers as stored, and what is wrong with each (kept, to be answered together
    /// with the form's required fields: a visitor learns of every field at once).
    package struct Answers: Sendable, Equatable {
        package var name: String?
        package var email: String?
        package var problems: [String: [String]] = [:]

        package init(name: String? = nil, email: String? = nil) {
            self.name = name
            self.email = email
        }

        /// The raw answers read (`VisitorProfile.name`, `.email`), their problems kept.
        package init(rawName: String?, rawEmail: String?) {
            do { name = try VisitorProfile.name(rawName) } catch { problems["name"] = (error as? ChatError)?.fields["name"] }
            do { email = try VisitorProfile.email(rawEmail) } catch { problems["email"] = (error as? ChatError)?.fields["email"] }
        }
    }

    /// Refuses a start whose answers are malformed or leave a required field of the form empty
    /// (`known`: the visitor's stored answers), every field's problem at once.
    static func check(_ answers: Answers, known: Visitor?, against form: Prechat) throws {
        var problems = answers.problems
        if form.name == .required, problems["name"] == nil, (answers.name ?? known?.name) == nil { problems["name"] = ["This field is required."] }
        if form.email == .required, problems["email"] == nil, (answers.email ?? known?.email) == nil { problems["email"] = ["This field is required."] }
        guard problems.isEmpty else { throw ChatError.invalidFields(problems) }
    }
}
