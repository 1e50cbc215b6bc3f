import Foundation
import Testing
@testable import ChatStorage

/// The writer's own SQLite connection, through the C functions `ChatCSQLite` declares (sqlite-nio's copy).
@Suite("SQLite handle", .timeLimit(.minutes(3)))
struct SQLiteHandleTests {
    @Test func writesAndReadsThroughTheDeclaredCFunctions() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("handle-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let db = try SQLiteHandle(path: path)
        for pragma in SQLiteTuning.pragmas(cacheKiB: 256) { try db.execute(pragma) }
        try db.execute("CREATE TABLE t (id TEXT, n INTEGER, x REAL, s TEXT)")
        let insert = try db.statement("INSERT INTO t (id, n, x, s) VALUES (?1, ?2, ?3, ?4)")
        let id = UUID()
        try insert.bind(1, id)
        try insert.bind(2, 42)
        try insert.bind(3, Date(timeIntervalSince1970: 1.5))
        try insert.bind(4, "héllo \u{0} wörld 😀")
        try insert.run()
        #expect(db.lastInsertRowID == 1)
        let select = try db.statement("SELECT id, n, x, s FROM t")
        #expect(try select.step())
        #expect(select.uuid(0) == id)
        #expect(select.int(1) == 42)
        #expect(select.double(2) == 1.5)
        #expect(select.string(3)?.hasPrefix("héllo ") == true)
        #expect(try !select.step())
        #expect(throws: SQLiteHandle.Failure.self) { try db.execute("SELECT * FROM missing") }
    }
}
