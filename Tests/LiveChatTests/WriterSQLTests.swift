import Testing
@testable import ChatStorage

/// The writer's statements are written once for both stores: SQLite numbers `$n` parameters by
/// their first appearance, PostgreSQL by `n`, so each must first appear in the order 1, 2, 3 ….
@Suite("The writer's shared statements", .timeLimit(.minutes(3)))
struct WriterSQLTests {
    @Test(arguments: WriterSQL.all)
    func parametersFirstAppearInOrder(_ statement: String) {
        var seen: [Int] = []
        var rest = Substring(statement)
        while let dollar = rest.firstIndex(of: "$") {
            let digits = rest[rest.index(after: dollar)...].prefix { $0.isASCII && $0.isNumber }
            if let number = Int(digits), !seen.contains(number) { seen.append(number) }
            rest = rest[rest.index(after: dollar)...]
        }
        #expect(seen == seen.indices.map { $0 + 1 })
    }
}
