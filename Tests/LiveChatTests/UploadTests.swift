import Foundation
import Testing
@testable import ChatDomain
@testable import ChatStorage
@testable import LiveChat

@Suite("POST /chat/upload-file/ and the served files", .timeLimit(.minutes(3)))
struct UploadTests {
    @Test func uploadAnswersTheSeedEnvelopeAndTheFileIsServedSafely() async throws {
        try await withServer { server, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let reply = try await client.upload(token: chat.token, content: Samples.pdf, fileName: "example.pdf",
                                                contentType: "application/pdf", fields: ["uploaded_by_end_user": chat.visitorID, "message": "null"])
            #expect(reply.status == 201)
            #expect(reply.message == "File uploaded successfully")
            let url = try #require(reply.data["file"] as? String)
            #expect(url.hasPrefix("http://127.0.0.1:\(server.port)/media/chat_attachments/"))
            #expect(!url.contains("example"))
            #expect(reply.data["file_name"] as? String == "example.pdf")
            #expect(reply.data["content_type"] as? String == "application/pdf")
            #expect(reply.data["size"] as? Int == Samples.pdf.count)
            #expect(UUID(uuidString: reply.data["id"] as? String ?? "") != nil)
            let path = String(url.dropFirst("http://127.0.0.1:\(server.port)".count))
            let served = try await client.get(path)
            #expect(served.status == 200)
            #expect(served.body == Samples.pdf)
            #expect(served.headers.first(name: "X-Content-Type-Options") == "nosniff")
            #expect(served.headers.first(name: "Content-Type") == "application/pdf")
            #expect(served.headers.first(name: "Content-Disposition")?.hasPrefix("attachment;") == true)
            #expect(served.headers.first(name: "Content-Security-Policy")?.contains("sandbox") == true)
        }
    }

    @Test func fileURLsNameTheServerNeverTheRequestsHost() async throws {
        try await withServer { server, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let own = "http://127.0.0.1:\(server.port)/media/chat_attachments/"
            let reply = try await client.upload(token: chat.token, content: Samples.pdf, fileName: "bill.pdf", contentType: "application/pdf",
                                                headers: [("Host", "evil.example:666")])
            #expect(reply.status == 201)
            let url = try #require(reply.data["file"] as? String)
            #expect(url.hasPrefix(own), "\(url)")
            // A file message naming the attachment on another host is broadcast with the server's URL.
            let name = try #require(url.split(separator: "/").last)
            let visitor = try await client.joined(chat)
            let agent = try await client.joined(chat, token: try await client.agentToken(business.id))
            try await visitor.send(["type": "file", "file": "https://evil.example/media/chat_attachments/\(name)"])
            for socket in [visitor, agent] {
                #expect(try await socket.next(type: "file")["file"] as? String == url)
            }
            let items = try await client.history(chat.id, token: chat.token).json["data"] as? [JSON] ?? []
            #expect(items.compactMap { ($0["data"] as? JSON)?["file"] as? String } == [url, url])
        }
    }

    @Test func imagesAndAudioAreShownInlineAndTypedFromTheirBytes() async throws {
        try await withServer { server, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            // Named .pdf and claimed as PDF, but the bytes are a PNG.
            let reply = try await client.upload(token: chat.token, content: Samples.png, fileName: "photo.pdf", contentType: "application/pdf")
            #expect(reply.status == 201)
            #expect(reply.data["content_type"] as? String == "image/png")
            let url = try #require(reply.data["file"] as? String)
            #expect(url.hasSuffix(".png"))
            let served = try await client.get(String(url.dropFirst(server.base.count)))
            #expect(served.headers.first(name: "Content-Type") == "image/png")
            #expect(served.headers.first(name: "Content-Disposition")?.hasPrefix("inline;") == true)
        }
    }

    @Test(arguments: [("payload.exe", Samples.elf, "application/octet-stream"), ("page.html", Samples.html, "text/html"),
                      ("image.svg", Samples.svg, "image/svg+xml"), ("notes.txt", Samples.html, "text/plain"),
                      ("unknown.bin", Data("just some bytes".utf8), "application/octet-stream"),
                      ("photo.heic", Data([0, 0, 0, 24] + Array("ftypheic".utf8) + [UInt8](repeating: 0, count: 16)), "image/heic")])
    func activeOrUnknownTypesAreRefused415(name: String, content: Data, type: String) async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let reply = try await client.upload(token: chat.token, content: content, fileName: name, contentType: type)
            #expect(reply.status == 415)
            #expect(reply.message != nil)
            let history = try await client.history(chat.id, token: chat.token)
            #expect((history.json["data"] as? [JSON])?.isEmpty == true)
        }
    }

    @Test func plainTextIsAcceptedAndServedAsADownload() async throws {
        try await withServer { server, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let reply = try await client.upload(token: chat.token, content: Data("order 42\n".utf8), fileName: "order.txt", contentType: "text/html")
            #expect(reply.status == 201)
            let url = try #require(reply.data["file"] as? String)
            let served = try await client.get(String(url.dropFirst(server.base.count)))
            #expect(served.headers.first(name: "Content-Type")?.hasPrefix("text/plain") == true)
            #expect(served.headers.first(name: "Content-Disposition")?.hasPrefix("attachment;") == true)
        }
    }

    @Test(arguments: [("../../etc/passwd.pdf", "passwd.pdf"), ("C:\\\\Users\\\\me\\\\bill.pdf", "bill.pdf"),
                      ("bad\u{1}na\u{7F}me.pdf", "badname.pdf"), (".hidden.pdf", "hidden.pdf"), ("", "file.pdf")])
    func fileNamesAreSanitised(raw: String, clean: String) async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let reply = try await client.upload(token: chat.token, content: Samples.pdf, fileName: raw, contentType: "application/pdf")
            #expect(reply.status == 201, "\(reply.text)")
            #expect(reply.data["file_name"] as? String == clean)
        }
    }

    @Test func overTheLimitIs413AndNothingIsKept() async throws {
        try await withServer({ $0.maxUploadBytes = 4096 }) { server, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let big = Samples.pdf + Data(repeating: 0x20, count: 5000)
            let reply = try await client.upload(token: chat.token, content: big, fileName: "big.pdf", contentType: "application/pdf")
            #expect(reply.status == 413)
            #expect(reply.message != nil)
            let exact = Samples.pdf + Data(repeating: 0x20, count: 4096 - Samples.pdf.count)
            #expect(try await client.upload(token: chat.token, content: exact, fileName: "ok.pdf", contentType: "application/pdf").status == 201)
            let files = try FileManager.default.contentsOfDirectory(atPath: server.config.mediaDirectory.path)
            if TestDatabase.isPostgres {
                // The bytes are in the database; nothing is left on disk.
                #expect(files.isEmpty)
                let kept = try await server.app.db.sql().raw("SELECT COUNT(DISTINCT stored_name) AS n FROM attachment_chunks").first()
                #expect(try kept?.decode(column: "n", as: Int.self) == 1)
            } else {
                #expect(files.count == 1)
            }
        }
    }

    @Test func whoMayUpload() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let other = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let stranger = try await client.startChat(business)
            let agentID = UUID()
            let agent = try await client.agentToken(business.id, agent: agentID)
            func upload(_ token: String?, _ fields: [String: String] = [:]) async throws -> Int {
                try await client.upload(token: token, content: Samples.pdf, fileName: "a.pdf", contentType: "application/pdf", fields: fields).status
            }
            #expect(try await upload(nil) == 401)
            #expect(try await upload("garbage") == 401)
            #expect(try await upload(try await client.adminToken()) == 403)
            #expect(try await upload(chat.token, ["uploaded_by_end_user": stranger.visitorID]) == 403)
            #expect(try await upload(chat.token, ["uploaded_by_agent": agentID.uuidString]) == 403)
            #expect(try await upload(chat.token, ["uploaded_by_end_user": "not-a-uuid"]) == 400)
            #expect(try await upload(chat.token, ["session_id": stranger.id]) == 403)
            #expect(try await upload(chat.token, ["message": UUID().uuidString]) == 400)
            #expect(try await upload(agent) == 400)
            #expect(try await upload(agent, ["session_id": chat.id, "uploaded_by_agent": UUID().uuidString]) == 403)
            #expect(try await upload(agent, ["session_id": chat.id, "uploaded_by_agent": agentID.uuidString]) == 201)
            #expect(try await upload(try await client.agentToken(other.id), ["session_id": chat.id]) == 404)
            #expect(try await upload(agent, ["session_id": UUID().uuidString]) == 404)
            _ = try await client.post("/chat/sessions/\(chat.id)/end/", token: chat.token)
            #expect(try await upload(agent, ["session_id": chat.id]) == 409)
            #expect(try await upload(chat.token) == 404)
        }
    }

    @Test func malformedBodiesAreRefused() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            let noMultipart = try await client.request(.POST, "/chat/upload-file/", token: chat.token, json: ["file": "x"])
            #expect(noMultipart.status == 415)
            let noFile = try await client.request(.POST, "/chat/upload-file/", token: chat.token,
                body: Data("--b\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nnull\r\n--b--\r\n".utf8),
                headers: [("Content-Type", "multipart/form-data; boundary=b")])
            #expect(noFile.status == 400)
            let empty = try await client.upload(token: chat.token, content: Data(), fileName: "a.pdf", contentType: "application/pdf")
            #expect(empty.status == 400)
            let twoFiles = try await client.request(.POST, "/chat/upload-file/", token: chat.token,
                body: Data(("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4 one\r\n"
                    + "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b.html\"\r\n\r\n<script>x</script>\r\n--b--\r\n").utf8),
                headers: [("Content-Type", "multipart/form-data; boundary=b")])
            #expect(twoFiles.status == 400)
            let garbage = try await client.request(.POST, "/chat/upload-file/", token: chat.token,
                body: Data("this is not multipart at all".utf8), headers: [("Content-Type", "multipart/form-data; boundary=b")])
            #expect([400].contains(garbage.status))
        }
    }

    @Test func unknownMediaIs404() async throws {
        try await withServer { _, client in
            for path in ["\(String(repeating: "a", count: 32)).pdf", "jwt-secret"] {
                let reply = try await client.get("/media/chat_attachments/" + path)
                #expect(reply.status == 404, "\(path)")
            }
            for path in ["..%2F..%2Flivechat.sqlite", "..%2F..%2Fjwt-secret", "../../jwt-secret"] {
                let reply = try await client.get("/media/chat_attachments/" + path)
                #expect([403, 404].contains(reply.status), "\(path) → \(reply.status)")
                #expect(reply.message != nil)
            }
        }
    }
}
