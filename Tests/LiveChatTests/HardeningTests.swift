import Foundation
import Testing
@testable import ChatDomain
@testable import LiveChat

/// Input read strictly everywhere (issue 23): what an attacker's probe sent, over real HTTP, each
/// answered with a clear 4xx naming the field, and the server still up after it.
// One test at a time: each starts a server and sends a few hundred requests, and the suite's rate-limit
// tests (token buckets refilling in real time) run beside them.
@Suite("Hardening: input read strictly", .serialized, .timeLimit(.minutes(3)))
struct HardeningTests {
    private func errors(_ reply: HTTPReply) -> [String: Any] { reply.json["errors"] as? [String: Any] ?? [:] }

    private func query(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value
    }

    /// The probe that stopped the server: one agent's report with full-width digits in a date.
    @Test func reportDatesInOtherDigitsAnswer400AndTheServerStaysUp() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let token = try await client.agentToken(business.id)
            let dates = ["２０２６-01-01", "٢٠٢٦-01-01", "۲۰۲۶-01-01", "२०२६-01-01", "2026-01-0１", "𝟐𝟎𝟐𝟔-01-01", "+2026-01-01",
                         "-2026-01-01", "2026-1-01", "2026-02-30", "2026-13-01", "1969-12-31", "99999-01-01", "2026-01-01\u{0}",
                         String(repeating: "1", count: 10_000), "2026-01-01T00:00:00Z", "2026-0x-01"]
            for date in dates {
                let from = try await client.get("/chat/reports/?from=\(query(date))&to=2026-01-02", token: token)
                #expect(from.status == 400, "from=\(date.prefix(20))")
                #expect((errors(from)["from"] as? [String])?.first?.contains("YYYY-MM-DD") == true)
                let to = try await client.get("/chat/reports/?to=\(query(date))", token: token)
                #expect(to.status == 400 && errors(to)["to"] != nil, "to=\(date.prefix(20))")
            }
            #expect(try await client.get("/chat/reports/?from=2024-02-29&to=2024-03-01", token: token).status == 200)
            #expect(try await client.get("/health").status == 200)
        }
    }

    @Test func pageLimitsAndCursorsTakeOnlyASCIIDigits() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let token = try await client.agentToken(business.id)
            for limit in ["１０", "٣", "+5", "007", "-1", "1e2", "99999999999999999999", "", " 5", "5 ", "0", "1001"] {
                let reply = try await client.get("/chat/sessions/?limit=\(query(limit))", token: token)
                #expect(reply.status == 400 && errors(reply)["limit"] != nil, "limit=\(limit)")
            }
            #expect(try await client.get("/chat/sessions/?limit=10", token: token).status == 200)
            for cursor in ["１", "+1", "01", "-5", "99999999999999999999"] {
                let reply = try await client.get("/chat/search/?q=hello&cursor=\(query(cursor))", token: token)
                #expect(reply.status == 400 && errors(reply)["cursor"] != nil, "cursor=\(cursor)")
            }
            #expect(try await client.get("/health").status == 200)
        }
    }

    @Test func jsonEndpointsRefuseOtherMediaTypesWith415() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let body = Data(#"{"business":"\#(business.id)"}"#.utf8)
            for type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=latin1",
                         "application/jsonx", "text/json", "application/json; boundary=x", "application/json; charset=\"utf-8"] {
                let reply = try await client.request(.POST, "/chat/start-session/", body: body, headers: [("Content-Type", type)])
                #expect(reply.status == 415, "Content-Type: \(type)")
                #expect(reply.message?.contains("application/json") == true && errors(reply)["Content-Type"] != nil)
            }
            let none = try await client.request(.POST, "/chat/start-session/", body: body)
            #expect(none.status == 415)
            for type in ["application/json", "Application/JSON; charset=UTF-8", "application/json ; charset=\"utf-8\""] {
                let reply = try await client.request(.POST, "/chat/start-session/", body: body, headers: [("Content-Type", type)])
                #expect([200, 201].contains(reply.status), "Content-Type: \(type)")
            }
            let admin = try await client.loginAgent(business, admin: true)
            let canned = try await client.request(.POST, "/chat/canned-responses/", token: admin.token,
                                                  body: Data(#"{"shortcut":"hi","content":"Hello"}"#.utf8), headers: [("Content-Type", "text/plain")])
            #expect(canned.status == 415)
            #expect((try await client.get("/chat/canned-responses/", token: admin.token).json["data"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func originsAreSchemeHostAndPortOnlyAndStoredNormalized() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let admin = try await client.loginAgent(business, admin: true)
            let platform = try await client.adminToken()
            let bad = ["https://shop.example/path", "https://shop.example?x=1", "https://shop.example#top", "https://user@shop.example",
                       "https://", "https://shop.example:99999", "https://*.shop.example", "shop.example", "ftp://shop.example",
                       "https://shop .example", "https://shop.example\r\n", "https://ｓｈｏｐ.example", "https://shop.example:+80",
                       "https://shop.example:０", "https://-shop.example", "https://shop..example", "null"]
            for origin in bad {
                let settings = try await client.patch("/chat/settings/", token: admin.token, json: ["allowed_origins": [origin]])
                #expect(settings.status == 400 && errors(settings)["allowed_origins"] != nil, "settings: \(origin)")
                let created = try await client.post("/admin/businesses/", token: platform, json: ["name": "Shop", "allowed_origins": [origin]])
                #expect(created.status == 400 && errors(created)["allowed_origins"] != nil, "admin: \(origin)")
            }
            let good = try await client.patch("/chat/settings/", token: admin.token, json: [
                "allowed_origins": ["HTTPS://Shop.Example:443/", "http://localhost:8080", "https://shop.example", "http://[::1]:3000"]])
            #expect(good.status == 200)
            #expect(good.data["allowed_origins"] as? [String] == ["https://shop.example", "http://localhost:8080", "http://[::1]:3000"])
            // The widget is served to the page the browser names, and to no look-alike of it.
            func config(_ origin: String) async throws -> Int {
                try await client.request(.GET, "/chat/widget-config/?business=\(business.id)", headers: [("Origin", origin)]).status
            }
            #expect(try await config("https://shop.example") == 200)
            #expect(try await config("https://SHOP.example:443") == 200)
            #expect(try await config("https://shop.example/") == 403)
            #expect(try await config("https://shop.example.evil") == 403)
            #expect(try await config("null") == 403)
        }
    }

    @Test func webhookURLsWithControlCharactersOrSpacesAreRefused() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let admin = try await client.loginAgent(business, admin: true)
            for url in ["https://hooks.example/a\rb", "https://hooks.example/a\nb", "https://hooks.example/a\tb", "https://hooks.example/a b",
                        "https://hooks.example/a\u{7F}b", "https://hooks.example/\u{0}", "https://hooks.exampl\u{00E9}/", "https://user:pw@hooks.example/",
                        "https:/hooks.example/", "https://hooks.example:0/", "javascript:alert(1)"] {
                let reply = try await client.post("/chat/webhooks/", token: admin.token, json: ["url": url, "events": ["message"]])
                #expect(reply.status == 400 && errors(reply)["url"] != nil, "url: \(url.debugDescription)")
            }
            #expect((try await client.get("/chat/webhooks/", token: admin.token).json["data"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func emailsHoldingMarkupAreRefused() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let platform = try await client.adminToken()
            let bad = ["a@<script>.com", "<svg/onload=alert(1)>@x.com", "\"<b>\"@x.com", "a b@x.com", "a@x", "a..b@x.com", ".a@x.com",
                       "a@x..com", "a@-x.com", "a@x.com>", "josé@x.com", "a@[127.0.0.1]", String(repeating: "a", count: 65) + "@x.com",
                       "a@" + String(repeating: "b", count: 64) + ".com", "a@x.com\u{0}"]
            for email in bad {
                let start = try await client.post("/chat/start-session/", json: ["business": business.id, "email": email])
                #expect(start.status == 400 && errors(start)["email"] != nil, "start-session: \(email.debugDescription)")
                let agent = try await client.post("/admin/businesses/\(business.id)/agents/", token: platform,
                                                  json: ["email": email, "password": "long enough", "name": "A"])
                #expect(agent.status == 400 && errors(agent)["email"] != nil, "agent: \(email.debugDescription)")
            }
            let good = try await client.post("/chat/start-session/", json: ["business": business.id, "email": " First.Last+Tag@Mail.Example.co "])
            #expect(good.status == 201)
        }
    }

    @Test func uploadNamesAreReadAsTheRFCsWriteThem() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let pdf = Data("%PDF-1.4 a report".utf8)
            let quoted = try await client.upload(token: chat.token, content: pdf, fileName: "report; final.pdf", contentType: "application/pdf")
            #expect(quoted.status == 201)
            #expect(quoted.data["file_name"] as? String == "report; final.pdf")
            let served = try await client.get(URL(string: quoted.data["file"] as? String ?? "")?.path ?? "/", token: chat.token)
            #expect(served.status == 200)
            let disposition = try #require(served.headers.first(name: "Content-Disposition").flatMap { HeaderValue($0) })
            #expect(disposition["filename"] == "report; final.pdf")

            // RFC 2231 / 8187: filename* (UTF-8, percent-encoded) takes the place of filename.
            let boundary = "b0undary"
            let body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"fallback.txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf\r\n"
                + "Content-Type: application/pdf\r\n\r\n%PDF-1.4 cv\r\n--\(boundary)--\r\n"
            let extended = try await client.request(.POST, "/chat/upload-file/", token: chat.token, body: Data(body.utf8),
                                                    headers: [("Content-Type", "multipart/form-data; boundary=\"\(boundary)\"")])
            #expect(extended.status == 201)
            #expect(extended.data["file_name"] as? String == "résumé.pdf")
            let servedExtended = try await client.get(URL(string: extended.data["file"] as? String ?? "")?.path ?? "/", token: chat.token)
            #expect(servedExtended.headers.first(name: "Content-Disposition").flatMap { HeaderValue($0) }?["filename"] == "résumé.pdf")

            for broken in ["form-data; name=\"file\"; filename=\"unterminated", "form-data; name=\"file\"; name=\"twice\"",
                           "form-data; filename=\"no-name.pdf\"", "attachment; name=\"file\"; filename=\"a.pdf\"",
                           "form-data; name=\"file\"; filename*=UTF-8''%ZZ.pdf"] {
                let body = "--b\r\nContent-Disposition: \(broken)\r\n\r\n%PDF-1.4 x\r\n--b--\r\n"
                let reply = try await client.request(.POST, "/chat/upload-file/", token: chat.token, body: Data(body.utf8),
                                                     headers: [("Content-Type", "multipart/form-data; boundary=b")])
                #expect(reply.status == 400, "Content-Disposition: \(broken)")
            }
        }
    }

    @Test func theConsoleAndTheDocsCannotBeFramedTheWidgetCan() async throws {
        try await withServer { _, client in
            for path in ["/agent/", "/agent/console.js", "/docs/"] {
                let reply = try await client.get(path)
                #expect(reply.status == 200, "\(path)")
                #expect(reply.headers.first(name: "Content-Security-Policy") == "frame-ancestors 'none'", "\(path)")
                #expect(reply.headers.first(name: "X-Frame-Options") == "DENY", "\(path)")
            }
            for path in ["/", "/widget.js"] {
                let reply = try await client.get(path)
                #expect(reply.status == 200 && reply.headers.first(name: "Content-Security-Policy") == nil
                        && reply.headers.first(name: "X-Frame-Options") == nil, "\(path)")
            }
        }
    }

    @Test func aLastSeqInOtherDigitsIsNoCatchUpAndNoCrash() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let first = try await client.joined(chat)
            try await first.send(["type": "text", "content": "one"])
            _ = try await first.next(type: "text")
            for seq in ["１", "٠", "+0", "00", String(repeating: "9", count: 10_000)] {
                let socket = try await client.joined(chat, query: "&last_seq=\(query(seq))")
                try await socket.send(["type": "text", "content": "after \(seq.prefix(3))"])
                let echoed = try await socket.next(type: "text")
                #expect(echoed["content"] as? String == "after \(seq.prefix(3))", "last_seq=\(seq.prefix(10)) replayed history")
                await socket.close()
            }
            await first.close()
            #expect(try await client.get("/health").status == 200)
        }
    }

    /// What the audit of every input path found beside the probe's cases.
    @Test func theAuditsCasesAnswer4xxOnEitherStore() async throws {
        try await withServer { server, client in
            let business = try await client.makeBusiness()
            let agent = try await client.agentToken(business.id)
            let chat = try await client.startChat(business)
            // An empty boundary: MultipartKit's parser trapped on it; now no multipart at all.
            for type in ["multipart/form-data; boundary=\"\"", "multipart/form-data; boundary= ;x=1", "multipart/form-data; boundary=" + String(repeating: "b", count: 71)] {
                let reply = try await client.request(.POST, "/chat/upload-file/", token: chat.token, body: Data("--\r\n".utf8), headers: [("Content-Type", type)])
                #expect(reply.status == 415, "\(type)")
            }
            // An inbox cursor far past year 9999 (PostgreSQL's timestamp bind overflowed on it).
            for millis in ["9999999999999999", "253402300800000", "-5"] {
                let cursor = Data("\(millis)|00000000-0000-0000-0000-000000000000".utf8).base64EncodedString()
                    .replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                let reply = try await client.get("/chat/sessions/?cursor=\(cursor)", token: agent)
                #expect(reply.status == 400 && errors(reply)["cursor"] != nil, "cursor of \(millis)")
            }
            // A token whose exp no store can hold is no token.
            let now = Int(Date().timeIntervalSince1970)
            let far = try CustomerToken.raw(claims: ["sub": UUID().uuidString, "role": "agent", "business": business.id, "iat": now,
                                                     "exp": 10_000_000_000_000, "jti": "far"], secret: server.config.jwtSecret)
            #expect(try await client.post("/auth/logout/", token: far).status == 401)
            // A search word glued to a quote by a letter-like mark, on either store.
            for q in ["\u{0D4E}'", "\u{0D4E}\"", "a\u{0D4E}\\", "\u{0D4E} "] {
                let reply = try await client.get("/chat/search/?q=\(query(q))", token: agent)
                #expect([200, 400].contains(reply.status), "q=\(q.debugDescription): \(reply.status)")
            }
            // NUL in free text and in ids, and a byte order mark before a number.
            #expect(try await client.get("/chat/canned-responses/?q=a%00b", token: agent).status == 400)
            #expect(try await client.get("/chat/history/\(chat.id)%00/", token: chat.token).status == 404)
            #expect(try await client.get("/chat/sessions/?department=\(business.department)%00x", token: agent).status == 400)
            #expect(try await client.get("/chat/sessions/?limit=%EF%BB%BF10", token: agent).status == 400)
            let platform = try await client.adminToken()
            #expect(try await client.get("/chat/visitors/export/?business=\(business.id)&external_customer_id=a%00", token: platform).status == 400)
            // A repeated key in a JWK body: read once, as the first value.
            let key = try await client.request(.POST, "/admin/businesses/\(business.id)/keys/", token: platform,
                                               body: Data(#"{"jwk":{},"jwk":1}"#.utf8), headers: [("Content-Type", "application/json")])
            #expect(key.status < 500)
            #expect(try await client.get("/health").status == 200)
        }
    }
}
