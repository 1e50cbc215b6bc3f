import Foundation
import NIOCore
import Vapor

/// The proxies whose `X-Forwarded-For` / `Forwarded` headers are believed
/// (`LIVECHAT_TRUSTED_PROXIES`, CIDRs). The client's address is the peer's, unless the peer is a
/// trusted proxy: then the nearest address in the forwarding chain that is not one.
package struct TrustedProxies: Sendable, Equatable {
    /// One CIDR block: the address bytes (4 or 16) and the prefix length.
    package struct Block: Sendable, Equatable {
        let bytes: [UInt8]
        let prefix: Int

        /// `10.0.0.0/8`, `fd00::/8`, or a bare address (all its bits).
        package init?(_ text: String) {
            let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), let bytes = Self.bytes(of: String(parts[0])) else { return nil }
            let prefix = parts.count == 2 ? Int(parts[1]) : bytes.count * 8
            guard let prefix, (0...(bytes.count * 8)).contains(prefix) else { return nil }
            self.bytes = bytes
            self.prefix = prefix
        }

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var left = prefix
            for (a, b) in zip(address, bytes) where left > 0 {
                let bits = min(8, left)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if a & mask != b & mask { return false }
                left -= bits
            }
            return true
        }

        static func bytes(of text: String) -> [UInt8]? {
            guard let address = try? SocketAddress(ipAddress: text, port: 0) else { return nil }
            switch address {
            case .v4(let v4): return withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }
            case .v6(let v6): return withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            default: return nil
            }
        }
    }

    package let blocks: [Block]

    package static let none = TrustedProxies(blocks: [])

    package init(blocks: [Block]) { self.blocks = blocks }

    /// A comma-separated list of CIDRs; nil names the first entry that is not one.
    package static func parse(_ list: String) -> Result<TrustedProxies, InvalidBlock> {
        var blocks: [Block] = []
        for entry in list.split(separator: ",") where !entry.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let block = Block(String(entry)) else { return .failure(InvalidBlock(text: String(entry))) }
            blocks.append(block)
        }
        return .success(TrustedProxies(blocks: blocks))
    }

    package struct InvalidBlock: Error { package let text: String }

    func trusts(_ address: String) -> Bool {
        guard !blocks.isEmpty, let bytes = Block.bytes(of: address) else { return false }
        return blocks.contains { $0.contains(bytes) }
    }

    /// The client's address: `peer`, or when it is trusted, the last hop of `forwarded` (nearest
    /// first from the right) that is not a trusted proxy.
    func client(peer: String, forwarded: [String]) -> String {
        var address = peer
        for hop in forwarded.reversed() {
            guard trusts(address) else { return address }
            guard Block.bytes(of: hop) != nil else { return address }
            address = hop
        }
        return address
    }
}

extension Request {
    /// The client's address as the per-address limits see it (`TrustedProxies`).
    package var clientAddress: String {
        let peer = remoteAddress?.ipAddress ?? "unknown"
        let proxies = application.realtime.limits.trustedProxies
        guard proxies.trusts(peer) else { return peer }
        return proxies.client(peer: peer, forwarded: forwardedChain)
    }

    /// The addresses of `X-Forwarded-For` (else `Forwarded`'s `for=`), in header order.
    private var forwardedChain: [String] {
        let xff = headers[canonicalForm: "x-forwarded-for"].map { $0.trimmingCharacters(in: .whitespaces) }
        if !xff.isEmpty { return xff.map(Self.bareAddress) }
        return headers[canonicalForm: "forwarded"].flatMap { element in
            element.split(separator: ";").compactMap { pair -> String? in
                let kv = pair.split(separator: "=", maxSplits: 1)
                guard kv.count == 2, kv[0].trimmingCharacters(in: .whitespaces).lowercased() == "for" else { return nil }
                return Self.bareAddress(kv[1].trimmingCharacters(in: CharacterSet(charactersIn: " \"")))
            }
        }
    }

    /// `[::1]:443` → `::1`, `1.2.3.4:80` → `1.2.3.4`.
    private static func bareAddress(_ text: String) -> String {
        if text.hasPrefix("["), let end = text.firstIndex(of: "]") { return String(text[text.index(after: text.startIndex)..<end]) }
        if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") { return String(text[..<colon]) }
        return text
    }
}
