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

    struct SettingsPayload: Content {
        let business: String
        let name: String
        let greeting: String?
        let offline_message: String?
        let prechat: PrechatPayload
        let allowed_origins: [String]
        let auto_assign: Bool
        let retention_days: Int?

        init(_ business: Business) {
            self.business = business.id.lowercasedText
            name = business.name
            greeting = business.greeting
            offline_message = business.offlineMessage
            prechat = PrechatPayload(business.prechat)
            allowed_origins = business.allowedOrigins
            auto_assign = business.autoAssign
            retention_days = business.retentionDays
        }

        /// Unset texts and retention are written as null.
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(business, forKey: .business)
            try c.encode(name, forKey: .name)
            try c.encode(greeting, forKey: .greeting)
            try c.encode(offline_message, forKey: .offline_message)
            try c.encode(prechat, forKey: .prechat)
            try c.encode(allowed_origins, forKey: .allowed_origins)
            try c.encode(auto_assign, forKey: .auto_assign)
            try c.encode(retention_days, forKey: .retention_days)
        }
    }

    struct WidgetPayload: Content {
        let business: String
        let name: String
        let greeting: String?
        let offline_message: String?
        let prechat: PrechatPayload
        let online: Bool

        init(_ config: Chat.WidgetConfig) {
            business = config.business.id.lowercasedText
            name = config.business.name
            greeting = config.business.greeting
            offline_message = config.business.offlineMessage
            prechat = PrechatPayload(config.business.prechat)
            online = config.online
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(business, forKey: .business)
            try c.encode(name, forKey: .name)
            try c.encode(greeting, forKey: .greeting)
            try c.encode(offline_message, forKey: .offline_message)
            try c.encode(prechat, forKey: .prechat)
            try c.encode(online, forKey: .online)
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
        var change = Chat.SettingsChange()
        if fields.values["name"] != nil { change.name = try fields.requiredString("name", maxLength: 200) }
        change.greeting = try fields.clearableString("greeting", maxLength: Chat.settingsTextLimit).map(Self.blankAsNil)
        change.offlineMessage = try fields.clearableString("offline_message", maxLength: Chat.settingsTextLimit).map(Self.blankAsNil)
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
        let updated = try await req.chat.updateSettings(of: business, with: change)
        return try Envelope(message: "Settings updated successfully", data: SettingsPayload(updated)).response()
    }

    @Sendable
    func widget(req: Request) async throws -> Response {
        guard let raw = req.query[String.self, at: "business"], !raw.isEmpty else {
            throw ChatError.invalid("business", "This field is required.")
        }
        guard let id = UUID(uuidString: raw) else { throw ChatError.invalid("business", "Must be a valid UUID.") }
        let config = try await req.chat.widgetConfig(of: id, origin: req.headers.first(name: .origin))
        return try Envelope(message: "Widget settings fetched successfully", data: WidgetPayload(config)).response()
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
