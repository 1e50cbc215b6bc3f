import Foundation

extension UUID {
    /// An id as a client writes it: exactly 36 ASCII characters, `8-4-4-4-12` hex digits, any
    /// case. (`UUID(uuidString:)` reads a C string on Linux: it would take an id followed by NUL
    /// and anything after it.)
    package init?(text: some StringProtocol) {
        guard text.utf8.count == 36, text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }), let id = UUID(uuidString: String(text)) else { return nil }
        self = id
    }

    /// The canonical text in lower case, as clients see ids (written without `uuidString`,
    /// which formats through `sprintf`; ids are written several times per message).
    package var lowercasedText: String { text(digits: Self.lowerDigits) }

    /// The canonical text in upper case, as Fluent's SQLite driver stores ids.
    package var uppercasedText: String { text(digits: Self.upperDigits) }

    private static let lowerDigits = Array("0123456789abcdef".utf8)
    private static let upperDigits = Array("0123456789ABCDEF".utf8)

    private func text(digits: [UInt8]) -> String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                var position = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        out[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    out[position] = digits[Int(byte >> 4)]
                    out[position + 1] = digits[Int(byte & 0x0F)]
                    position += 2
                }
                return position
            }
        }
    }
}
