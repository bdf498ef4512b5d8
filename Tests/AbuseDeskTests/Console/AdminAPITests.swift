import AbuseDeskCore
import Fluent
import Foundation
import Testing
import Vapor
@testable import AbuseDesk

@Suite struct AdminAPITests {
    @Test func adminsManageAccountsDomainsAndNetblocksAndRoutingFollows() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let created = try await world.send(.POST, "/admin/v1/accounts", token: world.adminToken, json: [
                "name": "New Customer", "abuse_email": "abuse@new.example", "domains": ["new.example", "Shop.New.Example"], "netblocks": ["192.0.2.0/25"]])
            #expect(created.status == .ok, "\(created.body.string)")
            let account = try created.result
            let id = try #require(account["id"]?.stringValue)
            #expect(account["name"] == "New Customer" && account["abuse_email"] == "abuse@new.example")
            #expect(account["domains"]?.arrayValue?.compactMap { $0["domain"]?.stringValue } == ["new.example", "shop.new.example"])
            #expect(account["netblocks"]?[0]?["cidr"] == "192.0.2.0/25")
            #expect(try await world.send(.GET, "/admin/v1/accounts/\(id)", token: world.adminToken).result == account)
            let list = try await world.send(.GET, "/admin/v1/accounts?per_page=2", token: world.adminToken)
            #expect(try list.json["result_info"]?["total_count"] == 3)
            #expect(try list.result.arrayValue?.count == 2)

            // Routing follows at once: a report about the new domain is the new account's.
            let token = try await world.send(.POST, "/admin/v1/accounts/\(id)/tokens", token: world.adminToken, json: ["name": "ci"])
            let secret = try #require(try token.result["token"]?.stringValue)
            #expect(try token.result["scopes"] == ["read"])
            let report = try await world.fileURLReport("https://www.new.example/login")
            #expect(try await world.send(.GET, world.reports(id), token: secret).ids() == [report])

            let domain = try await world.send(.POST, "/admin/v1/accounts/\(id)/domains", token: world.adminToken, json: ["domain": "more.example"])
            #expect(domain.status == .ok)
            let domainID = try #require(try domain.result["id"]?.stringValue)
            let byNetblock = try await world.fileIPReport("192.0.2.9")
            #expect(try await ReportModel.find(byNetblock, on: app.db)?.accountID == id)
            let removed = try await world.send(.DELETE, "/admin/v1/accounts/\(id)/domains/\(domainID)", token: world.adminToken)
            #expect(removed.status == .ok)
            let later = try await world.fileURLReport("https://more.example/x")
            #expect(try await ReportModel.find(later, on: app.db)?.accountID == nil, "the removed domain no longer routes")

            let netblock = try await world.send(.POST, "/admin/v1/accounts/\(id)/netblocks", token: world.adminToken, json: ["cidr": "2001:db8:1::/48"])
            #expect(netblock.status == .ok)
            let netblockID = try #require(try netblock.result["id"]?.stringValue)
            let v6 = try await world.fileIPReport("2001:db8:1::25")
            #expect(try await ReportModel.find(v6, on: app.db)?.accountID == id)
            #expect(try await world.send(.DELETE, "/admin/v1/accounts/\(id)/netblocks/\(netblockID)", token: world.adminToken).status == .ok)
            #expect(try await world.send(.DELETE, "/admin/v1/accounts/\(id)/netblocks/\(netblockID)", token: world.adminToken).status == .notFound)
        }
    }

    @Test func badAccountsAreRefusedWithEveryProblem() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let bad = try await world.send(.POST, "/admin/v1/accounts", token: world.adminToken, json: [
                "abuse_email": "nope", "domains": ["localhost", "ok.example", "ok.example"], "netblocks": ["10.0.0.1/8", 7], "colour": "red"])
            #expect(bad.status == .badRequest)
            #expect(Set(try bad.errorFields) == ["colour", "name", "abuse_email", "domains[0]", "domains[2]", "netblocks[0]", "netblocks[1]"])
            #expect(try bad.json["errors"]?.arrayValue?.first { $0["field"] == "netblocks[0]" }?["message"]?.stringValue?.contains("10.0.0.0/8") == true)
            let taken = try await world.send(.POST, "/admin/v1/accounts", token: world.adminToken, json: ["name": "Squatter", "domains": ["example.com"]])
            #expect(taken.status == .conflict)
            #expect(try taken.errorFields == ["domains[0]"])
            #expect(try taken.json["errors"]?[0]?["message"]?.stringValue?.contains("already belongs to account \(world.acme)") == true)
            #expect(try await world.send(.POST, "/admin/v1/accounts/\(world.other)/domains", token: world.adminToken, json: ["domain": "example.com"]).status == .conflict)
            #expect(try await world.send(.POST, "/admin/v1/accounts/\(world.other)/domains", token: world.adminToken, json: [:]).errorFields == ["domain"])
            #expect(try await app.count("accounts") == 2)
        }
    }

    @Test func tokensAreListedWithoutSecretsAndRevokedAtOnce() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let created = try await world.send(.POST, "/admin/v1/accounts/\(world.other)/tokens", token: world.adminToken, json: ["scopes": ["read", "edit"]])
            let id = try #require(try created.result["id"]?.stringValue)
            let secret = try #require(try created.result["token"]?.stringValue)
            #expect(try created.result["scopes"] == ["read", "edit"])
            let stored = try #require(try await APITokenModel.find(id, on: app.db))
            #expect(stored.tokenHash == AccessToken.hash(secret) && stored.tokenHash != secret)
            let listed = try await world.send(.GET, "/admin/v1/accounts/\(world.other)/tokens", token: world.adminToken)
            #expect(try listed.result.arrayValue?.count == 2)
            #expect(!listed.body.string.contains(secret) && !listed.body.string.contains("\"token\""))
            #expect(try await world.send(.GET, world.reports(world.other), token: secret).status == .ok)
            #expect(try await world.send(.DELETE, "/admin/v1/accounts/\(world.other)/tokens/\(id)", token: world.adminToken).result["revoked_at"] != .null)
            #expect(try await world.send(.GET, world.reports(world.other), token: secret).status == .unauthorized)
            #expect(try await world.send(.DELETE, "/admin/v1/accounts/\(world.acme)/tokens/\(id)", token: world.adminToken).status == .notFound,
                    "a token is revoked through its own account")
            #expect(try await world.send(.POST, "/admin/v1/accounts/\(world.other)/tokens", token: world.adminToken, json: ["scopes": ["write"]]).errorFields == ["scopes[0]"])
        }
    }

    @Test func aTokenShowsWhenItWasLastUsedToTheHour() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let world = try await AccountsWorld(app)
            let created = try await world.send(.POST, "/admin/v1/accounts/\(world.other)/tokens", token: world.adminToken, json: ["scopes": ["read"]])
            let id = try #require(try created.result["id"]?.stringValue)
            let secret = try #require(try created.result["token"]?.stringValue)
            func lastUsed() async throws -> JSONValue? {
                let listed = try await world.send(.GET, "/admin/v1/accounts/\(world.other)/tokens", token: world.adminToken)
                return try listed.result.arrayValue?.first { $0["id"] == .string(id) }?["last_used_at"]
            }
            #expect(try await lastUsed() == .null)
            try await world.send(.GET, world.reports(world.other), token: secret)
            #expect(try await lastUsed() == "2026-11-23T12:00:00Z")
            clock.advance(by: 600)
            try await world.send(.GET, world.reports(world.other), token: secret)
            #expect(try await lastUsed() == "2026-11-23T12:00:00Z", "within the hour nothing is written")
            clock.advance(by: 3600)
            try await world.send(.GET, world.reports(world.other), token: secret)
            #expect(try await lastUsed() == "2026-11-23T13:10:00Z")
        }
    }

    @Test func onlyAdminsManageAccountsEveryOperatorDecides() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let management: [(HTTPMethod, String, JSONValue?)] = [
                (.GET, "/admin/v1/accounts", nil), (.POST, "/admin/v1/accounts", ["name": "X"]), (.GET, "/admin/v1/accounts/\(world.acme)", nil),
                (.POST, "/admin/v1/accounts/\(world.acme)/domains", ["domain": "x.example"]),
                (.POST, "/admin/v1/accounts/\(world.acme)/netblocks", ["cidr": "192.0.2.0/24"]),
                (.GET, "/admin/v1/accounts/\(world.acme)/tokens", nil), (.POST, "/admin/v1/accounts/\(world.acme)/tokens", [:]),
            ]
            for (method, path, body) in management {
                #expect(try await world.send(method, path, token: nil, json: body).status == .unauthorized, "\(path)")
                #expect(try await world.send(method, path, token: world.acmeToken, json: body).status == .forbidden, "\(path) with an account token")
                let analyst = try await world.send(method, path, token: world.analystToken, json: body)
                #expect(analyst.status == .forbidden, "\(path) by an analyst")
                #expect(try analyst.json["errors"]?[0]?["message"]?.stringValue?.contains("admin role") == true)
            }
            let report = try await world.fileURLReport()
            #expect(try await world.send(.POST, "/admin/v1/reports/\(report)/accept", token: world.acmeToken).status == .forbidden)
            #expect(try await world.send(.POST, "/admin/v1/reports/\(report)/accept", token: world.adminToken).status == .ok)
        }
    }

    @Test func decisionsAndMitigationsFollowTheWorkflow() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let report = try await world.fileURLReport()
            let early = try await world.send(.POST, "/admin/v1/reports/\(report)/mitigations", token: world.analystToken, json: [
                "type": "geo_block", "entity_type": "zone", "entity_id": "example.com", "statement": ["ground": "x", "facts": "y", "automated": true]])
            #expect(early.status == .conflict, "a mitigation needs an accepted report")
            try await world.accept(report)
            let twice = try await world.send(.POST, "/admin/v1/reports/\(report)/accept", token: world.analystToken)
            #expect(twice.status == .conflict)
            #expect(try twice.json["errors"]?[0]?["message"] == "The report is already accepted.")
            let badOrder = try await world.send(.POST, "/admin/v1/reports/\(report)/mitigations", token: world.analystToken,
                                                json: ["type": "nuke", "effective_date": "2001-01-01T00:00:00Z"])
            #expect(Set(try badOrder.errorFields) == ["type", "entity_type", "entity_id", "effective_date", "statement"])
            let mitigation = try await world.mitigate(report)
            let stored = try #require(try await MitigationModel.find(mitigation, on: app.db))
            #expect(stored.accountID == world.acme && stored.status == "active")
            #expect(stored.statement.contains("Terms of service 4.2"))
            let deny = try await world.send(.POST, "/admin/v1/reports/\(report)/deny", token: world.analystToken, json: ["reason": "no_abuse_found"])
            #expect(deny.status == .conflict, "an accepted report with a live mitigation cannot be denied")
            #expect(try await world.send(.POST, "/admin/v1/reports/\(report)/deny", token: world.analystToken, json: ["reason": "bored"]).errorFields == ["reason"])
            #expect(try await world.send(.POST, "/admin/v1/reports/1m84z7qqedpfb7pgjv0xgfmdxh/accept", token: world.analystToken).status == .notFound)
            #expect(try await world.send(.POST, "/admin/v1/reports/nope/accept", token: world.analystToken).status == .notFound)
            #expect(try await ReportModel.find(report, on: app.db)?.status == "accepted")
        }
    }
}

@Suite struct RoutingRefreshTests {
    /// The command line writes accounts from another process; the server notices within one pass.
    @Test func changesMadeElsewhereAreNoticed() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let directory = app.abuseDesk.directory
            #expect(try await directory.refreshIfChanged(from: app.db) == false)
            let host = try #require(HostName("elsewhere.example"))
            #expect(directory.router.match(host) == nil)
            // Written straight to the store, as another process would.
            let row = AccountDomainModel()
            row.id = Identifier.make(at: app.abuseDesk.now().addingTimeInterval(1))
            row.$account.id = world.other
            row.domain = host.value
            row.createdAt = app.abuseDesk.now()
            try await row.create(on: app.db)
            #expect(directory.router.match(host) == nil, "not before the refresh")
            #expect(try await directory.refreshIfChanged(from: app.db))
            #expect(directory.router.match(host)?.accountID == world.other)
            try await row.delete(on: app.db)
            #expect(try await directory.refreshIfChanged(from: app.db))
            #expect(directory.router.match(host) == nil)
            #expect(try await directory.refreshIfChanged(from: app.db) == false)
        }
    }
}
