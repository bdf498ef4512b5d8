import AbuseDeskCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import AbuseDesk

@Suite struct AuditLogTests {
    @Test func everyChangeIsRecordedWithWhoWhenAndBeforeAndAfter() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let world = try await AccountsWorld(app)
            let report = try await world.fileURLReport("https://login.example.com/audit")
            clock.advance(by: 60)
            try await world.accept(report)
            let mitigation = try await world.mitigate(report)
            let appeal = try await world.send(.POST, world.reports(world.acme) + "/\(report)/mitigations/appeal", token: world.acmeToken,
                                              json: ["appeals": [["id": .string(mitigation), "reason": "removed"]]])
            #expect(appeal.status == .ok, "\(appeal.body.string)")

            let appeals = try await AppealModel.query(on: app.db).all()
            let history = try await AuditLog.history(of: [(.report, report), (.mitigation, mitigation)] + appeals.map { (.appeal, $0.id ?? "") },
                                                     on: app.db)
            #expect(history.map(\.action) == ["report.filed", "report.accepted", "mitigation.applied", "appeal.filed", "mitigation.appealed"])
            let analyst = try #require(try await OperatorModel.query(on: app.db).filter(\.$email == "analyst@abusedesk.test").first()?.id)
            #expect(history.map(\.actor) == ["reporter", "operator:\(analyst)", "operator:\(analyst)", "account:\(world.acme)", "account:\(world.acme)"])
            #expect(history[0].before == .null && history[0].occurredAt == Date(timeIntervalSince1970: 1_795_435_200))
            #expect(history[0].after == ["status": "new", "channel": "report_api", "type": "PHISH", "account_id": .string(world.acme), "routing": "domain"])
            #expect(history[1].before == ["status": "new", "denial_reason": .null])
            #expect(history[1].after == ["status": "accepted", "denial_reason": .null])
            #expect(history[1].occurredAt == Date(timeIntervalSince1970: 1_795_435_260))
            #expect(history[2].after["status"] == "active" && history[2].after["type"] == "phishing_interstitial")
            #expect(history[4].before == ["status": "active"] && history[4].after == ["status": "in_review"])

            // The set-up by the command line is there too: two accounts, four tokens... and two operators with theirs.
            let all = try await AuditLog.history(of: [(.account, world.acme), (.account, world.other)], on: app.db)
            #expect(all.map(\.action) == ["account.created", "account.created"])
            #expect(all.allSatisfy { $0.actor == "command-line" })
            #expect(all[0].after["domains"] == ["example.com"] && all[0].after["netblocks"] == ["203.0.113.0/24"])

            let verification = try await AuditLog.verify(on: app.db)
            #expect(verification.firstBreak == nil)
            #expect(verification.entries == 2 + 4 + 2 + 2 + 5, "accounts, account tokens, operators, operator tokens, then the case")
        }
    }

    @Test func accountsTokensAndNetblocksChangedThroughTheAdminAPIAreRecorded() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let admin = try #require(try await OperatorModel.query(on: app.db).filter(\.$email == "admin@abusedesk.test").first()?.id)
            let domain = try await world.send(.POST, "/admin/v1/accounts/\(world.other)/domains", token: world.adminToken, json: ["domain": "example.info"])
            let domainID = try #require(try domain.result["id"]?.stringValue)
            try await world.send(.DELETE, "/admin/v1/accounts/\(world.other)/domains/\(domainID)", token: world.adminToken)
            let netblock = try await world.send(.POST, "/admin/v1/accounts/\(world.other)/netblocks", token: world.adminToken, json: ["cidr": "192.0.2.0/24"])
            try await world.send(.DELETE, "/admin/v1/accounts/\(world.other)/netblocks/\(try #require(try netblock.result["id"]?.stringValue))",
                                 token: world.adminToken)
            let token = try await world.send(.POST, "/admin/v1/accounts/\(world.other)/tokens", token: world.adminToken, json: ["scopes": ["read"]])
            let tokenID = try #require(try token.result["id"]?.stringValue)
            let secret = try #require(try token.result["token"]?.stringValue)
            try await world.send(.DELETE, "/admin/v1/accounts/\(world.other)/tokens/\(tokenID)", token: world.adminToken)
            try await world.send(.DELETE, "/admin/v1/accounts/\(world.other)/tokens/\(tokenID)", token: world.adminToken)

            let account = try await AuditLog.history(of: [(.account, world.other)], on: app.db)
            #expect(account.map(\.action) == ["account.created", "account.domain_added", "account.domain_removed",
                                              "account.netblock_added", "account.netblock_removed"])
            #expect(account[2].before == ["domain": "example.info"] && account[4].before == ["cidr": "192.0.2.0/24"])
            #expect(account.dropFirst().allSatisfy { $0.actor == "operator:\(admin)" })
            let tokens = try await AuditLog.history(of: [(.token, tokenID)], on: app.db)
            #expect(tokens.map(\.action) == ["token.created", "token.revoked"], "revoking twice changes nothing the second time")
            #expect(tokens[0].after == ["account_id": .string(world.other), "scopes": "read", "name": .null])
            #expect(!tokens.contains { $0.after.serialized().contains(secret) || $0.before.serialized().contains(secret) })
            // A refused change records nothing.
            let before = try await AuditLog.verify(on: app.db).entries
            #expect(try await world.send(.POST, "/admin/v1/accounts/\(world.other)/domains", token: world.adminToken, json: ["domain": "example.com"]).status == .conflict)
            #expect(try await world.send(.POST, "/admin/v1/reports/\(Identifier.make(at: Date()))/accept", token: world.analystToken).status == .notFound)
            #expect(try await AuditLog.verify(on: app.db).entries == before)
        }
    }

    @Test func concurrentChangesStayInOneUnbrokenChain() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            var reports: [String] = []
            for n in 0..<12 { reports.append(try await world.fileURLReport("https://login.example.com/\(n)")) }
            try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for report in reports {
                    group.addTask {
                        let response = try await world.send(.POST, "/admin/v1/reports/\(report)/accept", token: world.analystToken)
                        #expect(response.status == .ok, "\(response.body.string)")
                        return response.status
                    }
                }
                for try await _ in group {}
            }
            let verification = try await AuditLog.verify(on: app.db)
            #expect(verification.firstBreak == nil)
            #expect(verification.entries == 10 + 12 + 12, "the set-up, the filings, the decisions")
        }
    }

    @Test func verifyFindsTheFirstAlteredRemovedOrTruncatedEntry() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            for n in 0..<3 { try await world.accept(try await world.fileURLReport("https://login.example.com/\(n)")) }
            let sql = try #require(app.db as? any SQLDatabase)
            let intact = try await AuditLog.verify(on: app.db)
            #expect(intact.firstBreak == nil && intact.entries == 16 && intact.headHash.count == 64,
                    "ten entries of the set-up, three filings and three decisions")

            // Someone rewrites what an operator decided.
            try await sql.raw("UPDATE audit_entries SET after_state = '{\"status\":\"denied\",\"denial_reason\":null}' WHERE sequence = 12").run()
            #expect(try await AuditLog.verify(on: app.db).firstBreak == .altered(sequence: 12))
            #expect(try await AuditLog.verify(on: app.db).entries == 11, "the entries before the break are intact")
            try await sql.raw("UPDATE audit_entries SET after_state = '{\"status\":\"accepted\",\"denial_reason\":null}' WHERE sequence = 12").run()
            #expect(try await AuditLog.verify(on: app.db).firstBreak == nil, "put back as it was, it verifies again")

            // An entry removed from the middle, and the newest removed.
            let row = try #require(try await sql.raw("SELECT * FROM audit_entries WHERE sequence = 12").first())
            try await sql.raw("DELETE FROM audit_entries WHERE sequence = 12").run()
            #expect(try await AuditLog.verify(on: app.db).firstBreak == .gap(expected: 12, found: 13))
            try await sql.raw("DELETE FROM audit_entries WHERE sequence >= 13").run()
            #expect(try await AuditLog.verify(on: app.db).firstBreak == .truncated(head: 16, last: 11))
            #expect(try row.decode(column: "action", as: String.self) == "report.accepted")
        }
    }
}
