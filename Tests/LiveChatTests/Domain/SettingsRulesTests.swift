import Foundation
import Testing
@testable import ChatDomain

/// `SettingsService`: who manages a business, what its settings may be, what the widget reads.
@Suite("Rules on fakes: business settings", .timeLimit(.minutes(3)))
struct SettingsRulesTests {
    private func change(_ edit: (inout SettingsService.SettingsChange) -> Void) -> SettingsService.SettingsChange {
        var change = SettingsService.SettingsChange()
        edit(&change)
        return change
    }

    @Test func originsAreStoredNormalizedAndAnythingButAnOriginIsRefused() async throws {
        let ports = try await FakePorts.make()
        let settings = ports.chat().businessSettings
        let shop = try await ports.business()
        let updated = try await settings.updateSettings(of: shop, with: change {
            $0.allowedOrigins = ["https://Shop.example/", "https://shop.example:443", "http://localhost:3000"]
        })
        #expect(updated.allowedOrigins == ["https://shop.example", "http://localhost:3000"])
        #expect(try await ports.store.business(shop.id)?.allowedOrigins == updated.allowedOrigins)

        for bad in ["shop.example", "https://shop.example/path", "https://*.shop.example", "ftp://shop.example", "https://user@shop.example"] {
            let error = await #expect(throws: ChatError.self, "\(bad)") {
                try await settings.updateSettings(of: updated, with: change { $0.allowedOrigins = [bad] })
            }
            #expect(error?.fields.keys.sorted() == ["allowed_origins"])
        }
        let many = (1...51).map { "https://s\($0).example" }
        await #expect(throws: ChatError.invalid("allowed_origins", "At most 50 origins.")) {
            try await settings.updateSettings(of: updated, with: change { $0.allowedOrigins = many })
        }
        #expect(try await ports.store.business(shop.id)?.allowedOrigins == updated.allowedOrigins)
    }

    @Test func retentionIsNullOrOneTo3650Days() async throws {
        let ports = try await FakePorts.make()
        let settings = ports.chat().businessSettings
        let shop = try await ports.business()
        for days in [0, 3651, -5] {
            await #expect(throws: ChatError.invalid("retention_days", "Must be null or a number of days from 1 to 3650.")) {
                try await settings.updateSettings(of: shop, with: change { $0.retentionDays = .some(days) })
            }
        }
        let kept = try await settings.updateSettings(of: shop, with: change { $0.retentionDays = .some(3650) })
        #expect(try await ports.store.business(shop.id)?.retentionDays == 3650)
        let cleared = try await settings.updateSettings(of: kept, with: change { $0.retentionDays = .some(nil) })
        #expect(cleared.retentionDays == nil)
        #expect(try await ports.store.business(shop.id)?.retentionDays == nil)
    }

    @Test func aChangeTouchesOnlyWhatItNamesAndNoChangeWritesNothing() async throws {
        let ports = try await FakePorts.make()
        let settings = ports.chat().businessSettings
        let shop = try await ports.business(name: "Shop", prechat: Prechat(name: .optional))
        // Another node renamed it meanwhile: a change of nothing writes nothing (the rename stays).
        var renamed = shop
        renamed.name = "Renamed elsewhere"
        try await ports.store.update(renamed)
        #expect(try await settings.updateSettings(of: shop, with: SettingsService.SettingsChange()) == shop)
        #expect(try await settings.updateSettings(of: shop, with: change { $0.name = "Shop"; $0.autoAssign = false }) == shop)
        #expect(try await ports.store.business(shop.id)?.name == "Renamed elsewhere")

        let updated = try await settings.updateSettings(of: shop, with: change {
            $0.greeting = .some("Hi there"); $0.prechatEmail = .required; $0.autoAssign = true
        })
        let stored = try #require(try await ports.store.business(shop.id))
        #expect(stored == updated)
        #expect(stored.name == "Shop" && stored.greeting == "Hi there" && stored.prechat == Prechat(name: .optional, email: .required))
        #expect(stored.autoAssign && stored.identitySecret == shop.identitySecret && stored.offlineMessage == nil)
        _ = try await settings.updateSettings(of: updated, with: change { $0.greeting = .some(nil) })
        #expect(try await ports.store.business(shop.id)?.greeting == nil)
    }

    @Test func anAdminMayNotLockItselfOut() throws {
        let me = UUID(), business = UUID()
        let caller = Identity.agent(id: me, business: business)
        #expect(throws: ChatError.invalid("active", "You cannot deactivate yourself.")) {
            try SettingsService.refuseLockout(by: caller, of: me, active: false, isAdmin: nil)
        }
        #expect(throws: ChatError.invalid("is_admin", "You cannot take your own admin rights away.")) {
            try SettingsService.refuseLockout(by: caller, of: me, active: nil, isAdmin: false)
        }
        try SettingsService.refuseLockout(by: caller, of: me, active: true, isAdmin: true)
        try SettingsService.refuseLockout(by: caller, of: UUID(), active: false, isAdmin: false)
        try SettingsService.refuseLockout(by: .admin, of: me, active: false, isAdmin: false)
    }

    @Test func aBusinessIsManagedByItsAdminsAndThePlatformAdminOnly() async throws {
        let ports = try await FakePorts.make()
        let settings = ports.chat().businessSettings
        let shop = try await ports.business()
        let other = try await ports.business(name: "Other")
        let admin = try await ports.agent(of: shop.id, isAdmin: true)
        let agent = try await ports.agent(of: shop.id)
        #expect(try await settings.managedBusiness(by: .agent(id: admin.id, business: shop.id), requested: nil) == shop)
        #expect(try await settings.managedBusiness(by: .agent(id: admin.id, business: shop.id), requested: shop.id) == shop)
        await #expect(throws: ChatError.businessNotFound) {
            try await settings.managedBusiness(by: .agent(id: admin.id, business: shop.id), requested: other.id)
        }
        await #expect(throws: ChatError.forbidden) { try await settings.managedBusiness(by: .agent(id: agent.id, business: shop.id), requested: nil) }
        await #expect(throws: ChatError.forbidden) { try await settings.managedBusiness(by: .visitor(id: UUID(), business: shop.id), requested: nil) }
        #expect(try await settings.managedBusiness(by: .admin, requested: other.id) == other)
        await #expect(throws: ChatError.invalid("business", "This field is required.")) { try await settings.managedBusiness(by: .admin, requested: nil) }
        await #expect(throws: ChatError.businessNotFound) { try await settings.managedBusiness(by: .admin, requested: UUID()) }
    }

    @Test func theWidgetSeesOnlineOnlyAnActiveAgentAndOnlyFromAnAllowedPage() async throws {
        let ports = try await FakePorts.make()
        let settings = ports.chat().businessSettings
        let shop = try await ports.business(allowedOrigins: ["https://shop.example"])
        let gone = try await ports.agent(of: shop.id, active: false)
        ports.store.markOnlineNow(agent: gone.id, business: shop.id)
        #expect(try await settings.widgetConfig(of: shop.id, origin: "https://shop.example").online == false)
        let here = try await ports.agent(of: shop.id)
        ports.store.markOnlineNow(agent: here.id, business: shop.id)
        #expect(try await settings.widgetConfig(of: shop.id, origin: "https://shop.example").online)
        await #expect(throws: ChatError.originNotAllowed) { try await settings.widgetConfig(of: shop.id, origin: "https://evil.example") }
        await #expect(throws: ChatError.businessNotFound) { try await settings.widgetConfig(of: UUID(), origin: nil) }
    }
}
