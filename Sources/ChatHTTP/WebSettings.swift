import Vapor

/// What the HTTP layer needs of the server's settings.
package struct WebSettings: Sendable {
    /// Base of the absolute file URLs handed out (`http://host:port`); nil derives it from the request.
    package var publicURL: String?
    /// The seed's literal "public access for visitors": history by session id, uploads by visitor id.
    package var publicVisitorHTTP: Bool
    /// `GET /demo.json` answers (the demo business exists).
    package var demo: Bool

    package init(publicURL: String?, publicVisitorHTTP: Bool, demo: Bool) {
        self.publicURL = publicURL
        self.publicVisitorHTTP = publicVisitorHTTP
        self.demo = demo
    }
}

extension Application {
    private struct WebSettingsKey: StorageKey {
        typealias Value = WebSettings
    }

    /// Set once by `configure`.
    package var webSettings: WebSettings {
        get {
            guard let settings = storage[WebSettingsKey.self] else { fatalError("configure(_:config:) has not run: web settings missing") }
            return settings
        }
        set { storage[WebSettingsKey.self] = newValue }
    }
}

extension Request {
    var webSettings: WebSettings { application.webSettings }
}
