import Foundation
import Testing

/// Every input in Tests/fuzz/corpus, seeds and the crashes `scripts/fuzz` found, replayed through
/// its fuzz target: none may trap or break the target's invariants again.
@Suite("The fuzz corpus replayed", .timeLimit(.minutes(3)))
struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fuzz/corpus")

    @Test(arguments: FuzzTarget.allCases)
    func corpusReplays(_ target: FuzzTarget) throws {
        let folder = Self.corpus.appendingPathComponent(target.rawValue)
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
        #expect(!files.isEmpty, "no seed corpus for \(target.rawValue)")
        for file in files {
            target.run(try Data(contentsOf: file))
        }
    }
}
