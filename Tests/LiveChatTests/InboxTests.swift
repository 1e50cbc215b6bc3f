import Foundation
import Testing
@testable import ChatDomain
@testable import LiveChat

@Suite("GET /chat/sessions/, assign and transfer", .timeLimit(.minutes(3)))
struct InboxTests {
    @Test func theInboxListsTheBusinesssSessionsNewestFirstWithTheirDetails() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let other = try await client.makeBusiness()
            let (me, token) = try await client.loginAgent(business)
            let older = try await client.startChat(business, extra: ["department": business.department])
            let newer = try await client.startChat(business)
            _ = try await client.startChat(other)
            let visitor = try await client.joined(older)
            for text in ["one", "two", "three"] { try await visitor.send(["type": "text", "content": text]) }
            _ = try await visitor.next(type: "text", where: { $0["content"] as? String == "three" })
            let reply = try await client.get("/chat/sessions/", token: token)
            #expect(reply.status == 200)
            #expect(reply.message == "Chat sessions fetched successfully")
            let items = reply.json["data"] as? [JSON] ?? []
            #expect(items.compactMap { $0["session_id"] as? String } == [newer.id, older.id])
            let first = items.last ?? [:]
            #expect((first["visitor"] as? JSON)?["id"] as? String == older.visitorID)
            #expect((first["department"] as? JSON)?["name"] as? String == "Support")
            #expect((first["last_message"] as? JSON)?["content"] as? String == "three")
            #expect(first["unread_count"] as? Int == 3)
            #expect(first["active"] as? Bool == true)
            #expect(first["assigned_agent"] is NSNull)
            // Reading the last message clears the unread count for this agent only.
            let agentSocket = try await client.joined(older, token: token)
            let last = (first["last_message"] as? JSON)?["id"] as? String ?? ""
            try await agentSocket.send(["type": "read", "message_id": last])
            _ = try await visitor.next(type: "read")
            let after = try await client.get("/chat/sessions/?active=true", token: token).json["data"] as? [JSON] ?? []
            #expect(after.first { $0["session_id"] as? String == older.id }?["unread_count"] as? Int == 0)
            _ = me
            await visitor.close(); await agentSocket.close()
        }
    }

    @Test func filtersAndCursorPages() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let admin = try await client.adminToken()
            let billing = try await client.post("/admin/businesses/\(business.id)/departments/", token: admin, json: ["name": "Billing"]).data["id"] as? String ?? ""
            let (me, token) = try await client.loginAgent(business)
            var ids: [String] = []
            for index in 0..<7 {
                let chat = try await client.startChat(business, extra: ["department": index % 2 == 0 ? business.department : billing])
                ids.append(chat.id)
            }
            _ = try await client.post("/chat/sessions/\(ids[0])/end/", token: token)
            _ = try await client.post("/chat/sessions/\(ids[1])/assign/", token: token, json: ["agent_id": me])
            func list(_ query: String) async throws -> [String] {
                let reply = try await client.get("/chat/sessions/\(query)", token: token)
                #expect(reply.status == 200, "\(query): \(reply.text)")
                return (reply.json["data"] as? [JSON] ?? []).compactMap { $0["session_id"] as? String }
            }
            #expect(try await list("?active=false") == [ids[0]])
            #expect(try await list("?active=true").count == 6)
            #expect(try await list("?department=\(billing)") == [ids[5], ids[3], ids[1]])
            #expect(try await list("?assigned=me") == [ids[1]])
            #expect(try await list("?assigned=\(me)") == [ids[1]])
            #expect(try await list("?assigned=none&active=true").count == 5)
            var pages: [String] = []
            var cursor: String? = nil
            repeat {
                let reply = try await client.get("/chat/sessions/?limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""), token: token)
                pages += (reply.json["data"] as? [JSON] ?? []).compactMap { $0["session_id"] as? String }
                cursor = reply.json["next_cursor"] as? String
            } while cursor != nil
            #expect(pages == ids.reversed())
            for query in ["?active=maybe", "?department=nope", "?assigned=someone", "?limit=0", "?limit=x", "?cursor=garbage!"] {
                let reply = try await client.get("/chat/sessions/\(query)", token: token)
                #expect(reply.status == 400, "\(query) → \(reply.status)")
            }
        }
    }

    @Test func onlyAgentsOfTheBusinessSeeItsInbox() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let other = try await client.makeBusiness()
            let chat = try await client.startChat(business)
            #expect(try await client.get("/chat/sessions/").status == 401)
            #expect(try await client.get("/chat/sessions/", token: "garbage").status == 401)
            #expect(try await client.get("/chat/sessions/", token: chat.token).status == 403)
            let outsider = try await client.get("/chat/sessions/", token: try await client.agentToken(other.id))
            #expect(outsider.status == 200)
            #expect((outsider.json["data"] as? [JSON])?.isEmpty == true)
        }
    }

    @Test func assignIsAnnouncedAndTwoAgentsTakingAtOnceGetOneWinner() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let (ann, annToken) = try await client.loginAgent(business)
            let (bob, bobToken) = try await client.loginAgent(business)
            let chat = try await client.startChat(business)
            let visitor = try await client.joined(chat)
            let (feed, _) = try await client.feed(token: annToken)
            async let first = client.post("/chat/sessions/\(chat.id)/assign/", token: annToken, json: ["agent_id": ann])
            async let second = client.post("/chat/sessions/\(chat.id)/assign/", token: bobToken, json: ["agent_id": bob])
            let statuses = [try await first.status, try await second.status].sorted()
            #expect(statuses == [200, 409])
            let notice = try await visitor.next(type: "session_assigned")
            let winner = notice["agent_id"] as? String
            #expect(winner == ann || winner == bob)
            let fed = try await feed.next(type: "session_assigned")
            #expect(fed["session_id"] as? String == chat.id && fed["agent_id"] as? String == winner)
            #expect(fed["cursor"] as? Int != nil)
            // The winner hands it over; the loser still cannot take it back.
            let (winnerToken, loser, loserToken) = winner == ann ? (annToken, bob, bobToken) : (bobToken, ann, annToken)
            #expect(try await client.post("/chat/sessions/\(chat.id)/assign/", token: loserToken, json: ["agent_id": loser]).status == 409)
            let handed = try await client.post("/chat/sessions/\(chat.id)/assign/", token: winnerToken, json: ["agent_id": loser])
            #expect(handed.status == 200)
            #expect((handed.data["assigned_agent"] as? JSON)?["id"] as? String == loser)
            await visitor.close(); await feed.close()
        }
    }

    @Test func assignAndTransferRefusals() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let other = try await client.makeBusiness()
            let (_, token) = try await client.loginAgent(business)
            let (stranger, _) = try await client.loginAgent(other)
            let chat = try await client.startChat(business)
            let path = "/chat/sessions/\(chat.id)"
            #expect(try await client.post(path + "/assign/", json: ["agent_id": stranger]).status == 401)
            #expect(try await client.post(path + "/assign/", token: chat.token, json: [:]).status == 403)
            #expect(try await client.post(path + "/assign/", token: try await client.agentToken(other.id), json: [:]).status == 404)
            #expect(try await client.post(path + "/assign/", token: token, json: ["agent_id": stranger]).status == 404)
            #expect(try await client.post(path + "/assign/", token: token, json: ["agent_id": "nope"]).status == 400)
            #expect(try await client.post(path + "/transfer/", token: token, json: [:]).status == 400)
            #expect(try await client.post(path + "/transfer/", token: token, json: ["department": other.department]).status == 404)
            #expect(try await client.post("/chat/sessions/\(UUID().uuidString)/transfer/", token: token, json: ["department": business.department]).status == 404)
            _ = try await client.post(path + "/end/", token: token)
            #expect(try await client.post(path + "/assign/", token: token, json: [:]).status == 409)
            #expect(try await client.post(path + "/transfer/", token: token, json: ["department": business.department]).status == 409)
        }
    }

    @Test func transferMovesTheChatAndIsAnnounced() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let billing = try await client.post("/admin/businesses/\(business.id)/departments/", token: try await client.adminToken(),
                                                json: ["name": "Billing"]).data["id"] as? String ?? ""
            let (me, token) = try await client.loginAgent(business)
            let chat = try await client.startChat(business, extra: ["department": business.department])
            _ = try await client.post("/chat/sessions/\(chat.id)/assign/", token: token, json: ["agent_id": me])
            let visitor = try await client.joined(chat)
            let reply = try await client.post("/chat/sessions/\(chat.id)/transfer/", token: token, json: ["department": billing])
            #expect(reply.status == 200)
            #expect((reply.data["department"] as? JSON)?["name"] as? String == "Billing")
            #expect(reply.data["assigned_agent"] is NSNull)
            let notice = try await visitor.next(type: "session_transferred")
            #expect(notice["department"] as? String == billing)
            #expect(notice["from_department"] as? String == business.department)
            await visitor.close()
        }
    }

    @Test func autoAssignmentDealsNewChatsToOnlineAgentsInTurn() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness(["auto_assign": true])
            let (ann, annToken) = try await client.loginAgent(business, department: business.department)
            let (bob, bobToken) = try await client.loginAgent(business, department: business.department)
            _ = try await client.loginAgent(business, department: business.department)  // offline: never chosen
            let (annFeed, _) = try await client.feed(token: annToken)
            let (bobFeed, _) = try await client.feed(token: bobToken)
            var assigned: [String] = []
            for _ in 0..<4 {
                let chat = try await client.startChat(business, extra: ["department": business.department])
                let event = try await annFeed.next(type: "session_assigned", where: { $0["session_id"] as? String == chat.id })
                assigned.append(event["agent_id"] as? String ?? "")
            }
            #expect(Set(assigned) == [ann, bob])
            #expect(assigned[0] != assigned[1] && assigned[1] != assigned[2])
            await annFeed.close(); await bobFeed.close()
        }
    }
}

@Suite("GET /chat/agents/ and /chat/departments/", .timeLimit(.minutes(3)))
struct TeamTests {
    @Test func agentsSeeTheirTeamWithPresence() async throws {
        try await withServer { _, client in
            let business = try await client.makeBusiness()
            let other = try await client.makeBusiness()
            let (ann, annToken) = try await client.loginAgent(business)
            let (bob, _) = try await client.loginAgent(business, department: business.department)
            _ = try await client.loginAgent(other)
            let (feed, _) = try await client.feed(token: annToken)
            let team = try await client.get("/chat/agents/", token: annToken)
            #expect(team.status == 200)
            let entries = team.json["data"] as? [JSON] ?? []
            #expect(Set(entries.compactMap { $0["id"] as? String }) == [ann, bob])
            #expect(entries.first { $0["id"] as? String == ann }?["online"] as? Bool == true)
            #expect(entries.first { $0["id"] as? String == bob }?["online"] as? Bool == false)
            let departments = try await client.get("/chat/departments/", token: annToken).json["data"] as? [JSON] ?? []
            #expect(departments.compactMap { $0["id"] as? String } == [business.department])
            let chat = try await client.startChat(business)
            #expect(try await client.get("/chat/agents/", token: chat.token).status == 403)
            #expect(try await client.get("/chat/departments/").status == 401)
            await feed.close()
        }
    }
}
