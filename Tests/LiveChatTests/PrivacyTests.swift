import Fluent
import Foundation
import SQLKit
import Testing
@testable import LiveChat

/// Export, erasure and retention (CONTRACT.md, "Privacy: export, erase, retention").
@Suite("Privacy", .timeLimit(.minutes(3)))
struct PrivacyTests {
    /// A chat with a file, a text, a note and a rating; its upload's URL.
    private func fullChat(_ client: TestClient, _ business: TestClient.Business, agentToken: String,
                          extra: [String: Any] = [:]) async throws -> (chat: TestClient.Chat, file: String, visitor: TestSocket) {
        let chat = try await client.startChat(business, extra: extra)
        let upload = try await client.upload(token: chat.token, content: Samples.pdf, fileName: "invoice.pdf", contentType: "application/pdf")
        let file = try #require(upload.data["file"] as? String)
        let visitor = try await client.joined(chat)
        let agent = try await client.joined(chat, token: agentToken)
        try await visitor.send(["type": "file", "file": file])
        try await visitor.send(["type": "text", "content": "my zebrafish arrived dead"])
        try await agent.send(["type": "note", "content": "private remark"])
        _ = try await agent.next(type: "note")
        await agent.close()
        return (chat, file, visitor)
    }

    /// Rows that still name `session` or `visitor`, table by table (none: empty).
    private func leftovers(_ server: TestServer, session: String, visitor: String) async throws -> [String: Int] {
        let sql = try #require(server.app.db as? any SQLDatabase)
        var found: [String: Int] = [:]
        let sessionID = try #require(UUID(uuidString: session))
        for table in ["chat_messages", "attachments", "session_ratings", "read_markers", "search_entries", "webhook_deliveries"] {
            let count = try await sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table) WHERE session_id = \(bind: sessionID)").first()?
                .decode(column: "n", as: Int.self) ?? -1
            if count != 0 { found[table] = count }
        }
        let sessions = try await sql.raw("SELECT COUNT(*) AS n FROM chat_sessions WHERE id = \(bind: sessionID)").first()?.decode(column: "n", as: Int.self)
        if sessions != 0 { found["chat_sessions"] = sessions }
        let visitors = try await sql.raw("SELECT COUNT(*) AS n FROM visitors WHERE id = \(bind: try #require(UUID(uuidString: visitor)))").first()?
            .decode(column: "n", as: Int.self)
        if visitors != 0 { found["visitors"] = visitors }
        let feed = try await sql.raw("SELECT COUNT(*) AS n FROM feed_events WHERE payload LIKE \(bind: "%zebrafish%")").first()?
            .decode(column: "n", as: Int.self)
        if feed != 0 { found["feed_events"] = feed }
        return found
    }

    /// Every file under the data folder.
    private func filesOnDisk(_ server: TestServer) -> [String] {
        let root = server.config.dataDirectory
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        return (walker?.allObjects as? [URL] ?? []).filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            .map(\.lastPathComponent)
    }

    @Test func anAdminExportsEverythingOfAVisitorButTheNotes() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let admin = try await client.loginAgent(business, admin: true)
            let token = try CustomerToken.sign(sub: "cust-7", secret: business.identitySecret)
            let (chat, file, visitor) = try await fullChat(client, business, agentToken: admin.token,
                                                           extra: ["external_customer_id": "cust-7", "customer_token": token])
            _ = try await visitor.next(type: "text")
            #expect(try await client.post("/chat/sessions/\(chat.id)/end/", token: admin.token).status == 200)
            #expect(try await client.post("/chat/sessions/\(chat.id)/rating/", token: chat.token, json: ["score": 5, "comment": "great"]).status == 201)

            for path in ["/chat/visitors/\(chat.visitorID)/export/", "/chat/visitors/export/?external_customer_id=cust-7"] {
                let reply = try await client.get(path, token: admin.token)
                #expect(reply.status == 200 && reply.message == "Visitor data exported successfully", "\(path): \(reply.text)")
                let visitorData = reply.data["visitor"] as? JSON
                #expect(visitorData?["id"] as? String == chat.visitorID && visitorData?["external_customer_id"] as? String == "cust-7")
                let sessions = reply.data["sessions"] as? [JSON] ?? []
                #expect(sessions.count == 1 && sessions.first?["id"] as? String == chat.id && isISOMillis(sessions.first?["ended_at"]))
                let messages = sessions.first?["messages"] as? [JSON] ?? []
                #expect(messages.compactMap { $0["type"] as? String } == ["file", "text"])
                #expect(!reply.text.contains("private remark"))
                let files = sessions.first?["attachments"] as? [JSON] ?? []
                #expect(files.count == 1 && files.first?["file_name"] as? String == "invoice.pdf" && files.first?["size"] as? Int == Samples.pdf.count)
                #expect(file.hasSuffix(files.first?["url"] as? String ?? "-"))
                #expect((sessions.first?["rating"] as? JSON)?["score"] as? Int == 5)
            }
            await visitor.close()
        }
    }

    @Test func erasingAVisitorLeavesNoRowNoFileAndNoWorkingToken() async throws {
        try await withServer { server, client in
            let business = try await client.makeBusiness()
            let admin = try await client.loginAgent(business, admin: true)
            let (chat, file, visitor) = try await fullChat(client, business, agentToken: admin.token)
            _ = try await visitor.next(type: "text")
            let stored = String(file.split(separator: "/").last ?? "")
            #expect(filesOnDisk(server).contains(stored) || TestDatabase.isPostgres)
            // Indexed for search first, so the erasure has an entry to remove.
            _ = try await eventually({ try await client.get("/chat/search/?q=zebrafish", token: admin.token) },
                                     until: { ($0.json["data"] as? [JSON])?.count == 1 })

            let erased = try await client.request(.DELETE, "/chat/visitors/\(chat.visitorID)/", token: admin.token)
            #expect(erased.status == 204, "\(erased.text)")
            // The open socket is closed with 4006; the visitor's token is refused from now on.
            let closed = try await visitor.closed()
            #expect(closed.code == 4006)
            #expect(try await client.history(chat.id, token: chat.token).status == 401)
            #expect(try await client.post("/chat/start-session/", token: chat.token, json: ["business": business.id]).status == 401)
            let path = String(file.dropFirst(server.base.count))
            #expect(try await client.get(path).status == 404)
            #expect(try await client.history(chat.id, token: admin.token).status == 404)
            #expect(try await client.get("/chat/visitors/\(chat.visitorID)/export/", token: admin.token).status == 404)
            #expect(try await client.request(.DELETE, "/chat/visitors/\(chat.visitorID)/", token: admin.token).status == 404)
            #expect(try await leftovers(server, session: chat.id, visitor: chat.visitorID) == [:])
            #expect(!filesOnDisk(server).contains(stored))
            if TestDatabase.isPostgres {  // there, a file's bytes are rows
                let sql = try #require(server.app.db as? any SQLDatabase)
                let chunks = try await sql.raw("SELECT COUNT(*) AS n FROM attachment_chunks WHERE stored_name = \(bind: stored)").first()?
                    .decode(column: "n", as: Int.self)
                #expect(chunks == 0)
            }
            let search = try await client.get("/chat/search/?q=zebrafish", token: admin.token)
            #expect((search.json["data"] as? [JSON])?.isEmpty == true)
        }
    }

    @Test func badCallersAndIdsAreRefused() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let admin = try await client.loginAgent(business, admin: true)
            let chat = try await client.startChat(business)
            let other = try await client.makeBusiness()
            let otherAdmin = try await client.loginAgent(other, admin: true)
            let plain = try await client.agentToken(business.id)
            let export = "/chat/visitors/\(chat.visitorID)/export/"
            #expect(try await client.get(export, token: plain).status == 403)
            #expect(try await client.get(export, token: chat.token).status == 403)
            #expect(try await client.get(export).status == 401)
            #expect(try await client.get(export, token: otherAdmin.token).status == 404)
            #expect(try await client.request(.DELETE, "/chat/visitors/\(chat.visitorID)/", token: otherAdmin.token).status == 404)
            #expect(try await client.request(.DELETE, "/chat/visitors/\(chat.visitorID)/", token: plain).status == 403)
            #expect(try await client.get("/chat/visitors/\(UUID())/export/", token: admin.token).status == 404)
            #expect(try await client.get("/chat/visitors/nope/export/", token: admin.token).status == 404)
            #expect(try await client.get("/chat/visitors/export/?external_customer_id=unknown", token: admin.token).status == 404)
            let missing = try await client.get("/chat/visitors/export/", token: admin.token)
            #expect(missing.status == 400 && (missing.json["errors"] as? JSON)?["external_customer_id"] != nil)
            let platform = try await client.adminToken()
            #expect(try await client.get(export, token: platform).status == 400)
            #expect(try await client.get(export + "?business=\(business.id)", token: platform).status == 200)
            // Nothing was erased by the refused calls.
            #expect(try await client.history(chat.id, token: chat.token).status == 200)
        }
    }

    @Test func retentionErasesEndedSessionsPastTheirDaysByItself() async throws {
        try await withServer({ $0.retentionSweepSeconds = 1 }) { server, client in
            let business = try await client.makeBusiness()
            let admin = try await client.loginAgent(business, admin: true)
            let old = try await client.startChat(business)
            let recent = try await client.startChat(business)
            let active = try await client.startChat(business)
            for chat in [old, recent] { #expect(try await client.post("/chat/sessions/\(chat.id)/end/", token: admin.token).status == 200) }
            let sql = try #require(server.app.db as? any SQLDatabase)
            try await sql.raw("""
                UPDATE chat_sessions SET ended_at = \(bind: Date().addingTimeInterval(-3 * 86_400)),
                    started_at = \(bind: Date().addingTimeInterval(-3 * 86_400 - 60)) WHERE id = \(bind: try #require(UUID(uuidString: old.id)))
                """).run()
            #expect(try await client.patch("/chat/settings/", token: admin.token, json: ["retention_days": 2]).status == 200)
            _ = try await eventually({ try await client.history(old.id, token: admin.token).status }, until: { $0 == 404 })
            #expect(try await leftovers(server, session: old.id, visitor: UUID().uuidString) == [:])
            #expect(try await client.history(recent.id, token: admin.token).status == 200)
            #expect(try await client.history(active.id, token: admin.token).status == 200)
        }
    }
}
