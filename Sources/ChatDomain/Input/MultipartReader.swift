import Foundation

/// A streaming reader of a MIME multipart body (RFC 2046 §5.1): the parts between
/// `--boundary` delimiters, each its header fields (RFC 5322 syntax, folded lines joined) and its
/// body bytes, handed out as they arrive whatever the chunking, with only a delimiter's length of
/// bytes held back. Bytes outside the grammar, a header block over 16 KiB or header text that is
/// not UTF-8 make the body malformed; `finish` says whether the closing delimiter came.
package struct MultipartReader: Sendable {
    package enum Event: Equatable, Sendable {
        /// A part begins: its header fields, names as sent.
        case headers([(name: String, value: String)])
        case body([UInt8])
        case partEnd

        package static func == (lhs: Event, rhs: Event) -> Bool {
            switch (lhs, rhs) {
            case (.headers(let a), .headers(let b)): a.elementsEqual(b) { $0.name == $1.name && $0.value == $1.value }
            case (.body(let a), .body(let b)): a == b
            case (.partEnd, .partEnd): true
            default: false
            }
        }
    }

    private enum State { case preamble, afterDelimiter, headers, body, epilogue, malformed }

    package static let maxHeaderBytes = 16 * 1024

    /// `--boundary` and `\r\n--boundary`.
    private let delimiter: [UInt8]
    private let bodyDelimiter: [UInt8]
    private var state = State.preamble
    private var pending: [UInt8] = []
    /// No byte of the body has been let go yet: only there may `--boundary` open it without a CRLF.
    private var atStart = true

    package var isMalformed: Bool { state == .malformed }

    /// nil for a boundary of no byte, more than 70, or bytes RFC 2046's `bchars` do not hold.
    package init?(boundary: String) {
        let bytes = Array(boundary.utf8)
        guard (1...70).contains(bytes.count), bytes.last != 0x20,
              bytes.allSatisfy({ WebOrigin.isLetterOrDigit($0) || "'()+_,-./:=? ".utf8.contains($0) }) else { return nil }
        delimiter = Array("--".utf8) + bytes
        bodyDelimiter = Array("\r\n--".utf8) + bytes
    }

    /// The events the next bytes complete, in order.
    package mutating func feed(_ bytes: some Collection<UInt8>) -> [Event] {
        guard state != .malformed, state != .epilogue else { return [] }
        pending.append(contentsOf: bytes)
        var events: [Event] = []
        var progressed = true
        while progressed, state != .malformed, state != .epilogue {
            progressed = step(&events)
        }
        return events
    }

    /// Whether the body ended with its closing delimiter (anything after it is ignored).
    package func finish() -> Bool { state == .epilogue }

    /// One step of the state machine; false when it needs more bytes.
    private mutating func step(_ events: inout [Event]) -> Bool {
        switch state {
        case .preamble:
            // The first delimiter opens the body or follows a CRLF; anything before it is preamble.
            // (Only at the very start: bytes kept from a dropped preamble may begin with `--B`
            // after a bare LF, which is no delimiter. Found by the fuzzer.)
            if atStart {
                if pending.count < delimiter.count, delimiter.starts(with: pending) { return false }
                atStart = false
                if pending.starts(with: delimiter) {
                    pending.removeFirst(delimiter.count)
                    state = .afterDelimiter
                    return true
                }
            }
            if let at = Self.find(bodyDelimiter, in: pending) {
                pending.removeFirst(at + bodyDelimiter.count)
                state = .afterDelimiter
                return true
            }
            if pending.count > bodyDelimiter.count { pending.removeFirst(pending.count - bodyDelimiter.count) }
            return false
        case .afterDelimiter:
            // `--` closes the body; otherwise optional spaces, then CRLF and a part's headers.
            guard pending.count >= 2 else { return false }
            if pending[0] == UInt8(ascii: "-"), pending[1] == UInt8(ascii: "-") {
                state = .epilogue
                pending = []
                return true
            }
            var index = 0
            while index < pending.count, pending[index] == 0x20 || pending[index] == 0x09 { index += 1 }
            if index > 64 { state = .malformed; return false }
            guard pending.count >= index + 2 else { return false }
            guard pending[index] == 0x0D, pending[index + 1] == 0x0A else { state = .malformed; return false }
            pending.removeFirst(index + 2)
            state = .headers
            return true
        case .headers:
            if pending.starts(with: [0x0D, 0x0A]) {
                pending.removeFirst(2)
                events.append(.headers([]))
                state = .body
                return true
            }
            guard let end = Self.find([0x0D, 0x0A, 0x0D, 0x0A], in: pending) else {
                if pending.count > Self.maxHeaderBytes { state = .malformed }
                return false
            }
            guard end <= Self.maxHeaderBytes, let fields = Self.headerFields(pending[..<end]) else { state = .malformed; return false }
            pending.removeFirst(end + 4)
            events.append(.headers(fields))
            state = .body
            return true
        case .body:
            if let at = Self.find(bodyDelimiter, in: pending) {
                if at > 0 { events.append(.body(Array(pending[..<at]))) }
                pending.removeFirst(at + bodyDelimiter.count)
                events.append(.partEnd)
                state = .afterDelimiter
                return true
            }
            // Everything but what could be the start of a delimiter split across chunks.
            let keep = bodyDelimiter.count - 1
            if pending.count > keep {
                events.append(.body(Array(pending[..<(pending.count - keep)])))
                pending.removeFirst(pending.count - keep)
            }
            return false
        case .epilogue, .malformed:
            return false
        }
    }

    /// `Name: value` lines, a line starting with a space or tab continuing the one before; nil
    /// for a line without a colon, a name outside `ftext` or text not UTF-8. (Control bytes in a
    /// value pass: browsers send a file's name raw but for CR, LF and `"`.)
    static func headerFields(_ block: ArraySlice<UInt8>) -> [(name: String, value: String)]? {
        var fields: [(name: String, value: String)] = []
        var lines: [ArraySlice<UInt8>] = []
        var start = block.startIndex
        var index = block.startIndex
        while index < block.endIndex {
            if block[index] == 0x0D {
                guard index + 1 < block.endIndex, block[index + 1] == 0x0A else { return nil }
                lines.append(block[start..<index])
                index += 2
                start = index
            } else {
                index += 1
            }
        }
        lines.append(block[start..<block.endIndex])
        for line in lines {
            if let first = line.first, first == 0x20 || first == 0x09 {
                guard let last = fields.popLast(), let more = String(validating: line, as: UTF8.self) else { return nil }
                fields.append((last.name, last.value + " " + more.trimmed))
                continue
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                  line[..<colon].allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
                  let value = String(validating: line[(colon + 1)...], as: UTF8.self) else { return nil }
            fields.append((String(decoding: line[..<colon], as: UTF8.self), value.trimmed))
        }
        return fields
    }

    /// The first index of `needle` in `haystack`, or nil: `memchr` for its first byte, then
    /// `memcmp` (an upload's megabytes pass through here; a byte-by-byte loop in Swift cost
    /// seconds of CPU per 25 MiB in a debug build).
    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        return haystack.withUnsafeBytes { hay -> Int? in
            needle.withUnsafeBytes { pattern -> Int? in
                guard let base = hay.baseAddress, let wanted = pattern.baseAddress else { return nil }
                var offset = 0
                let last = hay.count - pattern.count
                while offset <= last {
                    guard let found = memchr(base + offset, Int32(first), last - offset + 1) else { return nil }
                    let at = base.distance(to: UnsafeRawPointer(found))
                    if memcmp(base + at, wanted, pattern.count) == 0 { return at }
                    offset = at + 1
                }
                return nil
            }
        }
    }
}

private extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmed: String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
              let end = scalars.lastIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        return String(scalars[start...end])
    }
}
