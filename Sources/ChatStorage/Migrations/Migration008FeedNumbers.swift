import Fluent
import SQLKit

/// A business's feed events numbered 1, 2, 3 … in commit order (`cursor`), instead of by one
/// sequence shared by every business. With several nodes a feed socket hears this node's events
/// at once and the others' a little later: dense numbers let it tell a gap (and fill it from the
/// database before going on) from an event that is merely late, as a chat socket does with `seq`.
/// The table's own key becomes `id`; the existing events are numbered in their old order.
struct Migration008FeedNumbers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = try database.sql()
        try await sql.raw("DROP INDEX feed_events_by_business").run()
        try await sql.raw("ALTER TABLE feed_events RENAME COLUMN cursor TO id").run()
        try await database.schema(FeedEventModel.schema)
            .field("cursor", .int, .required, .sql(.default(0)))
            .update()
        try await sql.raw("""
            UPDATE feed_events SET cursor = numbered.n FROM \
            (SELECT id, ROW_NUMBER() OVER (PARTITION BY business_id ORDER BY id) AS n FROM feed_events) AS numbered \
            WHERE feed_events.id = numbered.id
            """).run()
        try await sql.raw("CREATE UNIQUE INDEX feed_events_by_cursor ON feed_events (business_id, cursor)").run()
    }

    func revert(on database: any Database) async throws {
        let sql = try database.sql()
        try await sql.raw("DROP INDEX feed_events_by_cursor").run()
        try await database.schema(FeedEventModel.schema).deleteField("cursor").update()
        try await sql.raw("ALTER TABLE feed_events RENAME COLUMN id TO cursor").run()
        try await sql.raw("CREATE INDEX feed_events_by_business ON feed_events (business_id, cursor)").run()
    }
}
