import ChatDomain
import ChatRealtime
import Vapor

/// `GET`/`PATCH /chat/settings/` (a business admin, or the platform admin with `?business=`) and
/// `GET /chat/widget-config/?business=` (public: what the widget shows before a chat).
package struct SettingsController: RouteCollection {
    struct PrechatPayload: Content {
        let name: String
        let email: String

        init(_ prechat: Prechat) {
            name = prechat.name.rawValue
            email = prechat.email.rawValue
        }
    }

    /// A business's settings: the admin's view, or the widget's (without the origins,
    /// auto-assignment and retention, with `online`). Unset texts and retention are null.
    struct SettingsPayload: Encodable, Sendable {
        let business: Business
        /// Set for the widget's view: whether an agent of the business is online.
        let online: Bool?

        init(_ business: Business) {
            self.business = business
            online = nil
        }

        init(_ config: SettingsService.WidgetConfig) {
            business = config.business
            online = config.online
        }

        func encode(to encoder: any Encoder) throws {
            enum Keys: String, CodingKey {
                case business, name, greeting, offline_message, prechat, allowed_origins, auto_assign, retention_days, online
            }
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(business.id.lowercasedText, forKey: .business)
            try c.encode(business.name, forKey: .name)
            try c.encode(business.greeting, forKey: .greeting)
            try c.encode(business.offlineMessage, forKey: .offline_message)
            try c.encode(PrechatPayload(business.prechat), forKey: .prechat)
            if let online {
                try c.encode(online, forKey: .online)
            } else {
                try c.encode(business.allowedOrigins, forKey: .allowed_origins)
                try c.encode(business.autoAssign, forKey: .auto_assign)
                try c.encode(business.retentionDays, forKey: .retention_days)
            }
        }
    }

    package init() {}

    package func boot(routes: any RoutesBuilder) throws {
        routes.get("chat", "settings", use: show)
        routes.patch("chat", "settings", use: update)
        routes.get("chat", "widget-config", use: widget)
    }

    @Sendable
    func show(req: Request) async throws -> Response {
        let business = try await req.managedBusiness()
        return try Envelope(message: "Settings fetched successfully", data: SettingsPayload(business)).response()
    }

    @Sendable
    func update(req: Request) async throws -> Response {
        let business = try await req.managedBusiness()
        let fields = try req.jsonFields()
        var change = SettingsService.SettingsChange()
        if fields.values["name"] != nil { change.name = try fields.requiredString("name", maxLength: 200) }
        change.greeting = try fields.clearableString("greeting", maxLength: SettingsService.settingsTextLimit).map(Self.blankAsNil)
        change.offlineMessage = try fields.clearableString("offline_message", maxLength: SettingsService.settingsTextLimit).map(Self.blankAsNil)
        if let prechat = try fields.object("prechat") {
            change.prechatName = try Self.rule(prechat, "name")
            change.prechatEmail = try Self.rule(prechat, "email")
        }
        if fields.values["allowed_origins"] != nil {
            guard case .array? = fields.values["allowed_origins"] else {
                throw ChatError.invalid("allowed_origins", "Must be a list of strings.")
            }
            change.allowedOrigins = try fields.stringList("allowed_origins")
        }
        change.autoAssign = try fields.bool("auto_assign")
        if let retention = fields.values["retention_days"] {
            change.retentionDays = retention == .null ? .some(nil) : .some(try fields.integer("retention_days"))
        }
        let updated = try await req.chat.businessSettings.updateSettings(of: business, with: change)
        return try Envelope(message: "Settings updated successfully", data: SettingsPayload(updated)).response()
    }

    @Sendable
    func widget(req: Request) async throws -> Response {
        guard let raw = req.queryValue("business"), !raw.isEmpty else {
            throw ChatError.invalid("business", "This field is required.")
        }
        guard let id = UUID(text: raw) else { throw ChatError.invalid("business", "Must be a valid UUID.") }
        let config = try await req.chat.businessSettings.widgetConfig(of: id, origin: req.headers.first(name: .origin))
        return try Envelope(message: "Widget settings fetched successfully", data: SettingsPayload(config)).response()
    }

    /// An empty text clears it, as null does.
    private static func blankAsNil(_ text: String?) -> String? {
        guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        return text
    }

    private static func rule(_ object: [String: JSONValue], _ key: String) throws -> Prechat.Rule? {
        switch object[key] {
        case nil: return nil
        case .string(let raw)?:
            if let rule = Prechat.Rule(rawValue: raw) { return rule }
            fallthrough
        default:
            throw ChatError.invalid("prechat", "\(key) must be \"off\", \"optional\" or \"required\".")
        }
    }
}
