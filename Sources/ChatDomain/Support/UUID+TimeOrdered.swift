import Foundation
import Synchronization

extension UUID {
    /// A version 7 UUID: 48 bits of Unix milliseconds, then random bits. Ids made later sort
    /// later, so inserts append to the end of an index instead of landing on random pages.
    package static func timeOrdered(at date: Date = Date()) -> UUID {
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        let random = RandomWords.shared.next()
        let high = (millis << 16) | (random.0 & 0x0FFF) | 0x7000
        let low = (random.1 & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        func byte(_ value: UInt64, _ index: Int) -> UInt8 { UInt8(truncatingIfNeeded: value >> (8 * (7 - index))) }
        return UUID(uuid: (byte(high, 0), byte(high, 1), byte(high, 2), byte(high, 3), byte(high, 4), byte(high, 5),
                           byte(high, 6), byte(high, 7), byte(low, 0), byte(low, 1), byte(low, 2), byte(low, 3),
                           byte(low, 4), byte(low, 5), byte(low, 6), byte(low, 7)))
    }
}

/// Random words from the system generator, fetched 4 KiB at a time instead of one system call
/// per word (every stored message takes two).
private final class RandomWords: Sendable {
    static let shared = RandomWords()
    private static let count = 512

    private let words = Mutex<[UInt64]>([])

    func next() -> (UInt64, UInt64) {
        words.withLock { words in
            if words.count < 2 {
                words = Self.fetch()
            }
            return (words.removeLast(), words.removeLast())
        }
    }

    /// `count` words from the kernel's generator in one read (`/dev/urandom`), or one by one
    /// from the system generator if that cannot be read.
    private static func fetch() -> [UInt64] {
        var words = [UInt64](repeating: 0, count: count)
        let read = words.withUnsafeMutableBytes { buffer in
            guard let urandom = fopen("/dev/urandom", "rb") else { return 0 }
            defer { fclose(urandom) }
            return fread(buffer.baseAddress, 1, buffer.count, urandom)
        }
        if read == count * MemoryLayout<UInt64>.size { return words }
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in generator.next() }
    }
}
