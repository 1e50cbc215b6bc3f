import Foundation
import Testing
import Vapor
@testable import LiveChat

@Suite("GET /openapi.json and /asyncapi.json", .timeLimit(.minutes(3)))
struct SpecsTests {
    private static let methods = ["get", "post", "put", "patch", "delete"]

    @Test func theOpenAPIPathsAreTheRoutesTheAppRegisters() async throws {
        try await withServer { server, client in
            let reply = try await client.get("/openapi.json")
            #expect(reply.status == 200)
            #expect(reply.headers.first(name: "content-type")?.hasPrefix("application/json") == true)
            let document = reply.json
            #expect(document["openapi"] as? String == "3.1.1")
            let paths = try #require(document["paths"] as? JSON)
            var documented: Set<String> = []
            for (path, item) in paths {
                for method in Self.methods where (item as? JSON)?[method] != nil {
                    documented.insert("\(method.uppercased()) \(Self.routeForm(path))")
                }
            }
            // What Vapor routes (HEAD follows GET by itself; the pages are a middleware, not routes).
            let registered = Set(server.app.routes.all.filter { $0.method != .HEAD }.map {
                "\($0.method.rawValue) /" + $0.path.map { component -> String in
                    if case .parameter(let name) = component { return "{\(name)}" }
                    return "\(component)"
                }.joined(separator: "/")
            })
            #expect(documented == registered, "documented only: \(documented.subtracting(registered).sorted()); routed only: \(registered.subtracting(documented).sorted())")

            // Every path with a trailing slash in the seed's way; every error answer is the error envelope.
            for (path, item) in paths {
                let last = path.split(separator: "/").last.map(String.init) ?? ""
                let bare = ["health", "metrics", "{name}"].contains(last) || last.hasSuffix(".json")
                #expect(path.hasSuffix("/") != bare, "\(path)")
                for method in Self.methods {
                    guard let operation = (item as? JSON)?[method] as? JSON, let responses = operation["responses"] as? JSON else { continue }
                    #expect(!responses.isEmpty)
                    for (status, response) in responses where (Int(status) ?? 0) >= 400 {
                        let schema = (((response as? JSON)?["content"] as? JSON)?["application/json"] as? JSON)?["schema"] as? JSON
                        #expect(schema?["$ref"] as? String == "#/components/schemas/Error", "\(method) \(path) \(status)")
                    }
                }
            }
        }
    }

    /// Vapor's form of a documented path: no trailing slash.
    private static func routeForm(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    @Test func everyOperationAnswersAnUnauthenticatedCallerWithADocumentedStatus() async throws {
        try await withServer { _, client in
            let paths = try #require(try await client.get("/openapi.json").json["paths"] as? JSON)
            let unknown = UUID().uuidString.lowercased()
            for (path, item) in paths {
                let concrete = path.replacingOccurrences(of: #"\{[a-z]+\}"#, with: unknown, options: .regularExpression)
                for method in Self.methods {
                    guard let operation = (item as? JSON)?[method] as? JSON, let responses = operation["responses"] as? JSON else { continue }
                    let reply = try await client.request(HTTPMethod(rawValue: method.uppercased()), concrete, json: method == "get" || method == "delete" ? nil : [String: Any]())
                    #expect(responses[String(reply.status)] != nil, "\(method) \(concrete) answered \(reply.status), documented \(responses.keys.sorted())")
                    #expect(reply.status < 500)
                }
            }
        }
    }

    @Test func theAsyncAPIFramesAreTheOnesTheChatSocketSpeaks() async throws {
        try await withServer { _, client in
            let reply = try await client.get("/asyncapi.json")
            #expect(reply.status == 200)
            let document = reply.json
            #expect(document["asyncapi"] as? String == "3.0.0")
            let channels = try #require(document["channels"] as? JSON)
            let chat = try #require(channels["chat"] as? JSON)
            let feed = try #require(channels["feed"] as? JSON)
            #expect(chat["address"] as? String == "/ws/visitor-chat/")
            #expect(feed["address"] as? String == "/ws/agent/")
            let closes = try #require(chat["x-close-codes"] as? JSON)
            for code in ["4001", "4002", "4003", "4006", "1008", "1009"] { #expect(closes[code] != nil, "\(code)") }

            // The frame types each side sends, from the operations.
            let operations = try #require(document["operations"] as? JSON)
            func types(_ operation: String) throws -> Set<String> {
                let refs = try #require((operations[operation] as? JSON)?["messages"] as? [JSON])
                let messages = try #require(chat["messages"] as? JSON)
                return Set(try refs.flatMap { ref -> [String] in
                    let id = try #require((ref["$ref"] as? String)?.split(separator: "/").last.map(String.init))
                    let payload = (messages[id] as? JSON)?["payload"] as? JSON
                    let schema = (payload?["properties"] as? JSON)?["type"] as? JSON
                    let type = schema?["enum"] as? [String] ?? (schema?["const"] as? String).map { [$0] }
                    return try #require(type, "\(id) names its type")
                })
            }
            let clientSends = try types("sendToChat")
            let serverSends = try types("receiveFromChat")
            #expect(clientSends == ["text", "note", "file", "end_session", "typing", "read"])

            // On a real socket: every type the client may send is understood (no "Unknown message
            // type"), every type only the server sends is refused as such.
            let business = try await client.makeBusiness()
            let chatSession = try await client.startChat(business)
            let socket = try await client.joined(chatSession)
            // (Each without its fields, or with a wrong one, so that the answer is an error frame.)
            for type in clientSends.subtracting(["end_session"]).sorted() {
                try await socket.send(["type": type, "is_typing": "not a boolean"])
                let answer = try await socket.next(type: "error")
                #expect((answer["message"] as? String)?.hasPrefix("Unknown message type") == false, "\(type): \(answer)")
            }
            for type in serverSends.subtracting(clientSends).sorted() {
                try await socket.send(["type": type])
                let answer = try await socket.next(type: "error")
                #expect(answer["message"] as? String == "Message type \"\(type)\" is sent by the server only.", "\(type)")
            }
            await socket.close()
        }
    }
}
