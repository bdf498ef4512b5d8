import AbuseDeskCore
import Fluent
import Foundation
import Testing
import Vapor
@testable import AbuseDesk

/// An operator team and a customer base that change (QA finding 4, SPEC 13): operators are disabled,
/// their tokens listed, revoked and expiring, passwords and roles change; accounts are renamed, get a new
/// abuse contact and are closed.
@Suite struct TeamChangeTests {
    /// Finding 4: a second `operator token` left the first valid, and nothing could let an operator go.
    @Test func aDisabledOperatorIsRefusedAtOnceEverywhere() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            var analyst = ConsoleBrowser(app: app)
            try await analyst.signIn("analyst@abusedesk.test")
            #expect(try await analyst.get("/console/reports").status == .ok)
            #expect(try await world.send(.GET, "/admin/v1/reports", token: world.analystToken).status == .ok)

            let id = try #require(try await app.abuseDesk.operators.find(email: "analyst@abusedesk.test", on: app.db).id)
            let disabled = try await world.send(.POST, "/admin/v1/operators/\(id)/disable", token: world.adminToken)
            #expect(try disabled.status == .ok && (disabled.result["disabled_at"]?.stringValue) != nil)
            // Their open session is refused on the next click, their token on the next call, their password at the door.
            let next = try await analyst.get("/console/reports")
            #expect(next.status == .seeOther && next.location?.hasPrefix("/console/login") == true)
            #expect(try await world.send(.GET, "/admin/v1/reports", token: world.analystToken).status == .unauthorized)
            var again = ConsoleBrowser(app: app)
            let door = try await again.signIn("analyst@abusedesk.test")
            #expect(door.status == .unauthorized && door.body.string.contains("Your access to the console was turned off"))
            #expect(try await app.count("operator_sessions") == 0)

            let enabled = try await world.send(.POST, "/admin/v1/operators/\(id)/enable", token: world.adminToken)
            #expect(try enabled.status == .ok && (enabled.result["disabled_at"]) == .null)
            #expect(try await world.send(.GET, "/admin/v1/reports", token: world.analystToken).status == .ok)
            let entries = try await AuditLog.history(of: [(.operator, id)], on: app.db).map(\.action)
            #expect(entries.suffix(2) == ["operator.disabled", "operator.enabled"])
        }
    }

    @Test func adminsCannotLockThemselvesOut() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let admin = try #require(try await app.abuseDesk.operators.find(email: "admin@abusedesk.test", on: app.db).id)
            let analyst = try #require(try await app.abuseDesk.operators.find(email: "analyst@abusedesk.test", on: app.db).id)
            #expect(try await world.send(.POST, "/admin/v1/operators/\(admin)/disable", token: world.adminToken).status == .conflict)
            let demote = try await world.send(.PATCH, "/admin/v1/operators/\(admin)", token: world.adminToken, json: ["role": "analyst"])
            #expect(demote.status == .conflict && demote.body.string.contains("last admin"))
            let promote = try await world.send(.PATCH, "/admin/v1/operators/\(analyst)", token: world.adminToken, json: ["role": "admin"])
            #expect(try promote.status == .ok && (promote.result["role"]) == "admin")
            #expect(try await world.send(.GET, "/admin/v1/accounts", token: world.analystToken).status == .ok, "the new role holds at once")
            let bad = try await world.send(.PATCH, "/admin/v1/operators/\(analyst)", token: world.adminToken, json: ["role": "root", "email": "x"])
            #expect(bad.status == .badRequest && bad.body.string.contains("role") && bad.body.string.contains("email"))
            #expect(try await world.send(.PATCH, "/admin/v1/operators/\(admin)", token: world.analystToken, json: ["role": "analyst"]).status == .ok)
        }
    }

    @Test func operatorTokensAreListedRevokedAndExpire() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let world = try await AccountsWorld(app)
            let operators = app.abuseDesk.operators
            let analyst = try await operators.find(email: "analyst@abusedesk.test", on: app.db)
            let id = try #require(analyst.id)
            clock.advance(by: 1)
            let (short, shortSecret) = try await operators.createToken(for: analyst, days: 1, by: .commandLine, on: app.db)
            let list = try await world.send(.GET, "/admin/v1/operators/\(id)/tokens", token: world.adminToken)
            let tokens = try #require(try list.result.arrayValue)
            #expect(tokens.count == 2 && tokens.allSatisfy { $0["token"] == nil && $0["operator_id"] == .string(id) })
            #expect(tokens.last?["expires_at"] == .string(RFC3339.format(clock.now.addingTimeInterval(86_400))))
            #expect(tokens.first?["expires_at"] == .string(RFC3339.format(clock.now.addingTimeInterval(90 * 86_400 - 1))))

            // The old token can be revoked; the new one goes on working.
            let revoked = try await world.send(.DELETE, "/admin/v1/operators/\(id)/tokens/\(try #require(tokens.first?["id"]?.stringValue))", token: world.adminToken)
            #expect(try revoked.status == .ok && (revoked.result["revoked_at"]?.stringValue) != nil)
            #expect(try await world.send(.GET, "/admin/v1/reports", token: world.analystToken).status == .unauthorized)
            #expect(try await world.send(.GET, "/admin/v1/reports", token: shortSecret).status == .ok)
            // A token of another operator is not theirs to revoke here.
            let adminID = try #require(try await operators.find(email: "admin@abusedesk.test", on: app.db).id)
            #expect(try await world.send(.DELETE, "/admin/v1/operators/\(adminID)/tokens/\(#require(short.id))", token: world.adminToken).status == .notFound)
            // A day later it has expired.
            clock.advance(by: 86_401)
            #expect(try await world.send(.GET, "/admin/v1/reports", token: shortSecret).status == .unauthorized)
            await #expect(throws: ClientError.self) { _ = try await operators.createToken(for: analyst, days: 0, by: .commandLine, on: app.db) }
        }
    }

    @Test func passwordsChangeAndAreNeverCut() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let long = String(repeating: "p", count: 73)
            let created = try await world.send(.POST, "/admin/v1/operators", token: world.adminToken,
                                               json: ["email": "new@abusedesk.test", "role": "analyst", "password": .string(long)])
            #expect(created.status == .badRequest && created.body.string.contains("at most 72 bytes"))
            let huge = try await world.send(.POST, "/admin/v1/operators", token: world.adminToken,
                                            json: ["email": "new@abusedesk.test", "password": .string(String(repeating: "x", count: 100_000))])
            #expect(huge.status == .badRequest)
            #expect(try await app.count("operators") == 2)

            var analyst = ConsoleBrowser(app: app)
            try await analyst.signIn("analyst@abusedesk.test")
            var other = ConsoleBrowser(app: app)
            try await other.signIn("analyst@abusedesk.test")
            #expect(try await analyst.get("/console/password").body.string.contains("Change my password"))
            let wrong = try await analyst.post("/console/password", [("current", "not it at all"), ("password", "a new long password"),
                                                                     ("repeat", "another new password")])
            #expect(wrong.status == .badRequest && wrong.body.string.contains("Current password: Is not your current password.")
                    && wrong.body.string.contains("The new password again: Must be the new password once more"))
            let changed = try await analyst.post("/console/password", [("current", "a long enough password"), ("password", "a new long password"),
                                                                       ("repeat", "a new long password")])
            #expect(changed.status == .seeOther && changed.location == "/console/password?done=password")
            #expect(try await analyst.get("/console/reports").status == .ok, "this session stays")
            #expect(try await other.get("/console/reports").status == .seeOther, "the other session ended")
            var fresh = ConsoleBrowser(app: app)
            #expect(try await fresh.signIn("analyst@abusedesk.test").status == .unauthorized)
            #expect(try await fresh.signIn("analyst@abusedesk.test", password: "a new long password").status == .seeOther)
        }
    }

    @Test func accountsAreRenamedGetANewContactAndAreClosed() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let before = try await world.fileURLReport("https://shop.example.net/x")
            let renamed = try await world.send(.PATCH, "/admin/v1/accounts/\(world.other)", token: world.adminToken,
                                               json: ["name": "Other Cloud GmbH", "abuse_email": "abuse@other.example"])
            #expect(try renamed.status == .ok && (renamed.result["name"]) == "Other Cloud GmbH" && (renamed.result["abuse_email"]) == "abuse@other.example")
            let cleared = try await world.send(.PATCH, "/admin/v1/accounts/\(world.other)", token: world.adminToken, json: ["abuse_email": .null])
            #expect(try (cleared.result["abuse_email"]) == .null && (cleared.result["name"]) == "Other Cloud GmbH")
            let nothing = try await world.send(.PATCH, "/admin/v1/accounts/\(world.other)", token: world.adminToken, json: [:])
            #expect(nothing.status == .badRequest)

            let closed = try await world.send(.POST, "/admin/v1/accounts/\(world.other)/close", token: world.adminToken)
            #expect(try closed.status == .ok && (closed.result["closed_at"]?.stringValue) != nil)
            #expect(try (closed.result["domains"]) == [] && (closed.result["netblocks"]) == [])
            // Routing stops, its tokens are refused, its reports stay.
            let after = try await world.fileURLReport("https://shop.example.net/y")
            #expect(try await ReportModel.find(after, on: app.db)?.accountID == nil)
            #expect(try await ReportModel.find(before, on: app.db)?.accountID == world.other)
            #expect(try await world.send(.GET, world.reports(world.other), token: world.otherToken).status == .unauthorized)
            #expect(try await world.send(.POST, "/admin/v1/accounts/\(world.other)/close", token: world.adminToken).status == .conflict)
            #expect(try await world.send(.POST, "/admin/v1/accounts/\(world.other)/domains", token: world.adminToken,
                                         json: ["domain": "again.example"]).status == .conflict)
            // What it served is free for another account.
            let moved = try await world.send(.POST, "/admin/v1/accounts/\(world.acme)/domains", token: world.adminToken, json: ["domain": "example.net"])
            #expect(moved.status == .ok)
            let actions = try await AuditLog.history(of: [(.account, world.other)], on: app.db).map(\.action)
            #expect(actions.contains("account.updated") && actions.last == "account.closed")
        }
    }

    /// QA findings 14 and 15: account creation named only the first kind of problem, and took private netblocks.
    @Test func aNewAccountNamesEveryProblemAtOnce() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let refused = try await world.send(.POST, "/admin/v1/accounts", token: world.adminToken, json: [
                "name": "\u{202E}", "domains": ["fresh.example", "bad domain", "example.com"], "netblocks": ["10.0.0.0/8", "0.0.0.0/0", "203.0.113.0/24"]])
            #expect(refused.status == .badRequest)
            let text = refused.body.string
            for expected in ["domains[1]", "domains[2]", "already belongs to account \(world.acme)", "netblocks[0]", "netblocks[1]", "netblocks[2]", "name"] {
                #expect(text.contains(expected), "\(expected)")
            }
            #expect(text.contains("10.0.0.0/8 overlaps 10.0.0.0/8, a private address range"))
            #expect(try await app.count("accounts") == 2)
            // Only taken names: a conflict, still naming each.
            let taken = try await world.send(.POST, "/admin/v1/accounts", token: world.adminToken, json: ["name": "Copy", "domains": ["example.com", "example.net"]])
            #expect(taken.status == .conflict && taken.body.string.contains("domains[0]") && taken.body.string.contains("domains[1]"))
        }
    }
}
