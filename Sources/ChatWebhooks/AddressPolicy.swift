import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Which addresses a webhook may reach: public ones only, unless the deployment allows the
/// others (`LIVECHAT_WEBHOOK_ALLOW_PRIVATE=1`, for a receiver on the same machine or network).
enum AddressPolicy {
    /// Whether `address` (IPv4 or IPv6 bytes) is loopback, private, link-local, or otherwise not
    /// a public unicast address.
    static func isPrivate(_ address: [UInt8]) -> Bool {
        if address.count == 4 { return isPrivateV4(address) }
        guard address.count == 16 else { return true }
        if address.allSatisfy({ $0 == 0 }) { return true }  // ::
        if address[0..<15].allSatisfy({ $0 == 0 }) && address[15] == 1 { return true }  // ::1
        if address[0..<10].allSatisfy({ $0 == 0 }) && address[10] == 0xFF && address[11] == 0xFF {
            return isPrivateV4(Array(address[12..<16]))  // IPv4-mapped
        }
        if address[0] & 0xFE == 0xFC { return true }  // fc00::/7 unique local
        if address[0] == 0xFE && address[1] & 0xC0 == 0x80 { return true }  // fe80::/10 link-local
        if address[0] == 0xFF { return true }  // multicast
        if address[0] == 0x00 && address[1] == 0x64 && address[2] == 0xFF && address[3] == 0x9B {
            return isPrivateV4(Array(address[12..<16]))  // 64:ff9b::/96 NAT64
        }
        return false
    }

    private static func isPrivateV4(_ a: [UInt8]) -> Bool {
        switch (a[0], a[1]) {
        case (0, _), (10, _), (127, _): true
        case (100, 64...127): true  // carrier-grade NAT
        case (169, 254): true
        case (172, 16...31): true
        case (192, 168): true
        case (192, 0) where a[2] == 0: true
        case (198, 18...19): true
        case (224...255, _): true  // multicast, reserved, broadcast
        default: false
        }
    }

    /// The addresses `host` resolves to (an IP literal is itself). Blocking: run it off the event loops.
    static func resolve(_ host: String) -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var out: [[UInt8]] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let current = node {
            if let address = current.pointee.ai_addr {
                switch Int32(address.pointee.sa_family) {
                case AF_INET:
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                        withUnsafeBytes(of: v4.pointee.sin_addr) { out.append(Array($0)) }
                    }
                case AF_INET6:
                    address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                        withUnsafeBytes(of: v6.pointee.sin6_addr) { out.append(Array($0)) }
                    }
                default: break
                }
            }
            node = current.pointee.ai_next
        }
        return out
    }
}
