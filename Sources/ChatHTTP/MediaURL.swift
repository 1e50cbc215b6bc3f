import ChatDomain
import NIOCore
import Vapor

/// Absolute URLs of uploaded files: `LIVECHAT_PUBLIC_URL`, else the address this server listens
/// on (a wildcard address named `localhost`). Never the request's `Host` header: the URL is
/// stored and broadcast, so a client would otherwise plant links to a host of its choosing.
enum MediaURL {
    static func absolute(_ storedName: String, req: Request) -> String {
        base(req.application) + MediaPath.prefix + storedName
    }

    static func base(_ application: Application) -> String {
        if let configured = application.webSettings.publicURL { return configured }
        guard let address = application.http.server.shared.localAddress, let port = address.port else {
            let configuration = application.http.server.configuration
            return "http://\(configuration.hostname):\(configuration.port)"
        }
        return "http://\(host(of: address)):\(port)"
    }

    private static func host(of address: SocketAddress) -> String {
        guard let ip = address.ipAddress, ip != "0.0.0.0", ip != "::" else { return "localhost" }
        if case .v6 = address { return "[\(ip)]" }
        return ip
    }
}
