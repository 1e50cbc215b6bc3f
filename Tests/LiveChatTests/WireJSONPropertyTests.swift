import Foundation
import Testing
@testable import ChatDomain
@testable import ChatRealtime

/// SplitMix64: a small seeded generator, so that a failing case can be replayed from its seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `LIVECHAT_TEST_SEED` when set (to replay a failure), else a new random seed.
    static func seed() -> UInt64 {
        ProcessInfo.processInfo.environment["LIVECHAT_TEST_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 0...UInt64.max)
    }
}

/// Strings made to break JSON writers and readers.
enum NastyText {
    static let pieces: [String] = {
        var pieces = ["\"", "\\", "\\\\\"", "\u{7F}", "\u{0}", "\u{2028}", "\u{2029}", "😀", "👍🏽", "👨‍👩‍👧", "🇫🇷", "é", "e\u{301}",
                      "中文", "Ж", "\u{FEFF}", "\u{FFFD}", "\u{FFFF}", "\u{10FFFF}", "/", "</script>", " ", "\u{A0}", "a", "Z", "0",
                      "{", "}", "[", ":", ",", "\\u0041", "\\ud800", "null", "true"]
        pieces += (0..<0x20).map { String(Character(Unicode.Scalar(UInt8($0)))) }
        return pieces
    }()

    /// Up to `length` pieces, some of them random scalars from anywhere in Unicode.
    static func string(_ rng: inout SeededGenerator, length: Int = 12) -> String {
        var out = ""
        for _ in 0..<Int.random(in: 0...length, using: &rng) {
            if Int.random(in: 0..<4, using: &rng) == 0 {
                var value = UInt32.random(in: 0...0x10FFFF, using: &rng)
                if (0xD800..<0xE000).contains(value) { value -= 0x800 }  // surrogates are not scalars
                out.unicodeScalars.append(Unicode.Scalar(value) ?? "?")
            } else {
                out += pieces[Int.random(in: 0..<pieces.count, using: &rng)]
            }
        }
        return out
    }

    /// `text` as a JSON string literal with every scalar escaped as `\uXXXX` (surrogate pairs past the BMP).
    static func escaped(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            if scalar.value > 0xFFFF {
                let value = scalar.value - 0x10000
                out += String(format: "\\u%04x\\u%04X", 0xD800 + (value >> 10), 0xDC00 + (value & 0x3FF))
            } else {
                out += String(format: "\\u%04x", scalar.value)
            }
        }
        return out + "\""
    }
}

/// Two values parsed by `JSONSerialization` are the same: strings scalar for scalar (not merely
/// canonically equivalent), numbers, booleans and null alike, objects key by key.
func sameJSON(_ a: Any, _ b: Any) -> Bool {
    switch (a, b) {
    case let (a as String, b as String):
        return Array(a.unicodeScalars) == Array(b.unicodeScalars)
    case let (a as [String: Any], b as [String: Any]):
        return a.count == b.count && a.allSatisfy { key, value in b[key].map { sameJSON(value, $0) } ?? false }
    case let (a as [Any], b as [Any]):
        return a.count == b.count && zip(a, b).allSatisfy { sameJSON($0.0, $0.1) }
    case (is NSNull, is NSNull):
        return true
    default:
        return "\(type(of: a))" == "\(type(of: b))" && (a as? NSObject)?.isEqual(b) == true
    }
}

func scalars(_ text: String?) -> [Unicode.Scalar]? { text.map { Array($0.unicodeScalars) } }

@Suite("JSON text written and read by hand, against Foundation", .timeLimit(.minutes(3)))
struct WireJSONPropertyTests {
    static let cases = 3000

    private func randomUUID(_ rng: inout SeededGenerator) -> UUID {
        let (a, b) = (rng.next(), rng.next())
        return withUnsafeBytes(of: (a, b)) { UUID(uuid: $0.load(as: uuid_t.self)) }
    }

    @Test func theHandWrittenBroadcastParsesAsJSONEncodersDoes() throws {
        let seed = SeededGenerator.seed()
        print("WireJSONPropertyTests broadcast seed: \(seed) (replay with LIVECHAT_TEST_SEED=\(seed))")
        var rng = SeededGenerator(seed: seed)
        for index in 0..<Self.cases {
            let isFile = Bool.random(using: &rng)
            let message = WireMessage(
                type: isFile ? "file" : "text", id: randomUUID(&rng), sessionID: randomUUID(&rng), seq: Int.random(in: 1...1_000_000, using: &rng),
                content: isFile ? nil : NastyText.string(&rng, length: 30),
                file: isFile ? "http://127.0.0.1/media/" + NastyText.string(&rng) : nil,
                fileName: isFile ? NastyText.string(&rng) : nil, isAudio: isFile && Bool.random(using: &rng),
                senderID: randomUUID(&rng), senderType: Bool.random(using: &rng) ? "visitor" : "agent",
                clientID: Bool.random(using: &rng) ? NastyText.string(&rng) : nil,
                createdAt: Date(timeIntervalSince1970: Double(Int.random(in: 0...4_000_000_000_000, using: &rng)) / 1000))
            let about = "seed \(seed), case \(index): \(String(reflecting: message))"
            let context = Comment(rawValue: about)
            let fast = try #require(try? JSONSerialization.jsonObject(with: Data(message.json.utf8)) as? [String: Any],
                                    Comment(rawValue: "not JSON: \(message.json.debugDescription); \(about)"))
            // Slashes unescaped, as JSONText writes them: Linux Foundation's JSONSerialization drops
            // a U+FEFF that follows an escape, so both texts must escape the same characters.
            let encoder = JSONEncoder()
            encoder.outputFormatting = .withoutEscapingSlashes
            let reference = try JSONSerialization.jsonObject(with: encoder.encode(message))
            try #require(sameJSON(fast, reference), context)
            // And every character survives (read with JSONDecoder, which keeps U+FEFF).
            let decoded = try JSONDecoder().decode([String: JSONValue].self, from: Data(message.json.utf8))
            for (key, value) in [("content", message.content), ("file_name", message.fileName), ("client_id", message.clientID)] {
                if case .string(let read)? = decoded[key] {
                    try #require(scalars(read) == scalars(value), context)
                } else {
                    try #require(value == nil && (key == "client_id" ? decoded[key] == nil : decoded[key] == .null), context)
                }
            }
        }
    }

    /// A frame whose text is `{"type":"text","content":<content>,"client_id":<clientID>}`, the
    /// values given as JSON text already.
    private func frame(content: String, clientID: String?) -> [UInt8] {
        Array((#"{"type":"text","content":"# + content + (clientID.map { #","client_id":"# + $0 } ?? "") + "}").utf8)
    }

    /// What the server does with a text frame: refuse it, or take a string that its broadcast
    /// writes back as the same string.
    private func checkRoundTrip(_ bytes: [UInt8], _ context: Comment) throws -> (content: String, clientID: String?)? {
        guard let (content, clientID) = serverTakes(bytes) else { return nil }
        for (value, isContent) in [(content, true), (clientID, false)] {
            guard let value else { continue }
            var quoted = ""
            JSONText.quote(value, into: &quoted)
            _ = try #require(try? JSONSerialization.jsonObject(with: Data(quoted.utf8), options: .fragmentsAllowed) as? String, context)
            let back = try #require(try? JSONDecoder().decode(String.self, from: Data(quoted.utf8)), context)
            try #require(scalars(back) == scalars(value), context)
            // And read back by the server, as a frame, it is the same string again.
            if let (reread, _) = serverTakes(frame(content: quoted, clientID: nil)), isContent {
                try #require(scalars(reread) == scalars(content), context)
            }
        }
        return (content, clientID)
    }

    /// A text frame as the server takes it: read (`InboundFrame`), then checked (`MessageFlow.text`):
    /// its trimmed content and client id, or nil when refused.
    private func serverTakes(_ bytes: [UInt8]) -> (content: String, clientID: String?)? {
        guard case .success(.text(let raw, let clientID)) = InboundFrame.parse(bytes) else { return nil }
        let author = MessageFlow.Author(session: UUID(), business: UUID(), identity: .visitor(id: UUID(), business: UUID()), origin: nil)
        guard case .success(let message) = MessageFlow.text(raw, clientID: clientID, by: author, limit: 100_000),
              case .text(let content) = message.body else { return nil }
        return (content, message.clientID)
    }

    @Test func clientFramesReadAsJSONDecoderReadsThem() throws {
        let seed = SeededGenerator.seed()
        print("WireJSONPropertyTests frames seed: \(seed) (replay with LIVECHAT_TEST_SEED=\(seed))")
        var rng = SeededGenerator(seed: seed)
        for index in 0..<Self.cases {
            let content = NastyText.string(&rng, length: 30)
            let clientID = Bool.random(using: &rng) ? NastyText.string(&rng, length: 8) : nil
            // Written by JSONEncoder, or with every character as a \u escape.
            let encode: (String) throws -> String = Bool.random(using: &rng)
                ? { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) } : NastyText.escaped
            let bytes = frame(content: try encode(content), clientID: try clientID.map(encode))
            let context = Comment(rawValue: "seed \(seed), case \(index): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            let reference = try JSONDecoder().decode([String: JSONValue].self, from: Data(bytes))
            if let fast = FlatJSON.object(bytes) {
                try #require(fast.keys.sorted() == reference.keys.sorted(), context)
                for (key, value) in fast {
                    if case .string(let a) = value, case .string(let b)? = reference[key] {
                        try #require(scalars(a) == scalars(b), context)
                    } else {
                        try #require(value == reference[key], context)
                    }
                }
            }
            let taken = try checkRoundTrip(bytes, context)
            let trimmed = content.trimmingCharacters(in: .whitespacesAndNewlines)
            let clientIDValid = clientID.map { !$0.isEmpty && $0.count <= 100 && !$0.utf8.contains(0) } ?? true
            // A NUL is refused (no store keeps it), in the content as in the client_id.
            if !trimmed.isEmpty, !trimmed.utf8.contains(0), clientIDValid {
                let got = try #require(taken, context)
                try #require(scalars(got.content) == scalars(trimmed), context)
                try #require(scalars(got.clientID) == scalars(clientID), context)
            } else {
                try #require(taken == nil, context)
            }
        }
    }

    /// A Swift `String` cannot hold a lone surrogate, but a client can send one as an escape.
    @Test func loneSurrogatesAreRefusedOrReadAsAStringThatRoundTrips() throws {
        let seed = SeededGenerator.seed()
        print("WireJSONPropertyTests surrogates seed: \(seed) (replay with LIVECHAT_TEST_SEED=\(seed))")
        var rng = SeededGenerator(seed: seed)
        let lone = [#"\ud800"#, #"\udbff"#, #"\udc00"#, #"\udfff"#, #"\uD83D"#, #"\ud800\u0041"#, #"\ud800\ud800"#,
                    #"\udc00\ud800"#, #"\ud83d\ude00"#, #"\ud800\\"#, #"\ud800\n"#, #"\ud800""#]
        for index in 0..<Self.cases {
            var literal = String(String(decoding: try JSONEncoder().encode(NastyText.string(&rng)), as: UTF8.self).dropLast())
            literal += lone[Int.random(in: 0..<lone.count, using: &rng)]
            literal += String(String(decoding: try JSONEncoder().encode(NastyText.string(&rng)), as: UTF8.self).dropFirst())
            let inClientID = Bool.random(using: &rng)
            let bytes = inClientID ? frame(content: #""x""#, clientID: literal) : frame(content: literal, clientID: nil)
            let context = Comment(rawValue: "seed \(seed), case \(index): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            if let fast = FlatJSON.object(bytes) {
                // The fast reader took it: then so does JSONDecoder, and they agree.
                let reference = try #require(try? JSONDecoder().decode([String: JSONValue].self, from: Data(bytes)), context)
                for (key, value) in fast {
                    if case .string(let a) = value, case .string(let b)? = reference[key] {
                        try #require(scalars(a) == scalars(b), context)
                    }
                }
            }
            _ = try checkRoundTrip(bytes, context)
        }
    }
}
