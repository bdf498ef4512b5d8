import AbuseDeskCore
import Fluent
import Foundation
import Testing
import Vapor
@testable import AbuseDesk

@Suite struct CustomerReportTests {
    @Test func reportsAreRoutedToTheAccountThatServesThem() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let byDomain = try await world.fileURLReport("https://shop.login.example.com/x")
            let byNetblock = try await world.fileIPReport("203.0.113.77")
            let elsewhere = try await world.fileIPReport("198.51.100.9")
            let nobody = try await world.fileURLReport("https://unknown.example.org/")
            let acme = try await world.send(.GET, world.reports(world.acme), token: world.acmeToken)
            #expect(acme.status == .ok)
            #expect(Set(try acme.ids()) == [byDomain, byNetblock])
            #expect(try await world.send(.GET, world.reports(world.other), token: world.otherToken).ids() == [elsewhere])
            let unassigned = try #require(try await ReportModel.find(nobody, on: app.db))
            #expect(unassigned.accountID == nil)
        }
    }

    @Test func aReportAsTheCustomerSeesIt() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let id = try await world.fileURLReport("https://login.example.com/secure")
            let detail = try await world.send(.GET, world.reports(world.acme) + "/\(id)", token: world.acmeToken)
            #expect(detail.status == .ok)
            let report = try detail.result
            #expect(report["id"] == .string(id))
            #expect(report["cdate"] == "2026-11-23T12:00:00Z")
            #expect(report["domain"] == "login.example.com")
            #expect(report["type"] == "PHISH")
            #expect(report["status"] == "in_review")
            #expect(report["justification"] == "SSH brute force from this address.")
            #expect(report["urls"] == ["https://login.example.com/secure"])
            #expect(report["submitter"] == ["name": "Jane Doe", "email": "jane@example.org", "company": .null, "telephone": .null])
            #expect(report["mitigation_summary"] == ["accepted_url_count": 0, "active_count": 0, "external_host_notified": false,
                                                     "in_review_count": 0, "pending_count": 0])
            #expect(try detail.json["success"] == true)
            #expect(try detail.json["errors"] == [])

            // The reporter asked to stay hidden: the customer learns nothing of them.
            let hidden = try await world.fileURLReport("https://login.example.com/other", anonymize: true)
            let anonymous = try await world.send(.GET, world.reports(world.acme) + "/\(hidden)", token: world.acmeToken).result
            #expect(anonymous["submitter"] == ["name": .null, "email": .null, "company": .null, "telephone": .null])
            let listed = try await world.send(.GET, world.reports(world.acme), token: world.acmeToken).result["reports"]?.arrayValue ?? []
            #expect(listed.first { $0["id"] == .string(hidden) }?["submitter"]?["email"] == .null)
            #expect(listed.first { $0["id"] == .string(id) }?["submitter"]?["email"] == "jane@example.org")
        }
    }

    @Test func acceptedShowsAcceptedDeniedIsHiddenAndTheSummaryCounts() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let accepted = try await world.fileURLReport("https://login.example.com/a")
            let denied = try await world.fileURLReport("https://login.example.com/b")
            try await world.accept(accepted)
            try await world.deny(denied)
            _ = try await world.mitigate(accepted)
            _ = try await world.mitigate(accepted, type: "geo_block", entityType: "zone", effective: "2027-01-01T00:00:00Z")
            let list = try await world.send(.GET, world.reports(world.acme), token: world.acmeToken)
            #expect(try list.ids() == [accepted])
            #expect(try list.result["reports"]?[0]?["status"] == "accepted")
            #expect(try list.result["reports"]?[0]?["mitigation_summary"] == ["accepted_url_count": 1, "active_count": 1,
                                                                              "external_host_notified": false, "in_review_count": 0, "pending_count": 1])
            let hidden = try await world.send(.GET, world.reports(world.acme) + "/\(denied)", token: world.acmeToken)
            #expect(hidden.status == .notFound)
            #expect(try hidden.json["errors"]?[0]?["code"] == 10003)
            for path in ["emails", "mitigations", "appeals/eligibility"] {
                #expect(try await world.send(.GET, world.reports(world.acme) + "/\(denied)/\(path)", token: world.acmeToken).status == .notFound)
            }
        }
    }

    @Test func everyFilter() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let world = try await AccountsWorld(app)
            let early = try await world.fileURLReport("https://login.example.com/1")
            clock.advance(by: 3600)
            let network = try await world.fileIPReport("203.0.113.5")
            clock.advance(by: 3600)
            let sub = try await world.fileURLReport("https://deep.shop.example.com/2")
            try await world.accept(sub)
            _ = try await world.mitigate(sub)
            let base = world.reports(world.acme)
            func ids(_ query: String) async throws -> Set<String> {
                let response = try await world.send(.GET, base + "?" + query, token: world.acmeToken)
                #expect(response.status == .ok, "\(query): \(response.body.string)")
                return Set(try response.ids())
            }
            #expect(try await ids("created_before=2026-11-23T12:30:00Z") == [early])
            #expect(try await ids("created_after=2026-11-23T12:30:00Z") == [network, sub])
            #expect(try await ids("created_after=2026-11-23T12:30:00Z&created_before=2026-11-23T13:30:00%2B00:00") == [network])
            #expect(try await ids("domain=shop.example.com") == [sub])
            #expect(try await ids("domain=example.com") == [early, sub])
            #expect(try await ids("domain=203.0.113.5") == [network])
            #expect(try await ids("domain=example.org").isEmpty)
            #expect(try await ids("status=accepted") == [sub])
            #expect(try await ids("status=in_review") == [early, network])
            #expect(try await ids("type=NETWORK") == [network])
            #expect(try await ids("type=PHISH&status=in_review") == [early])
            #expect(try await ids("mitigation_status=active") == [sub])
            #expect(try await ids("mitigation_status=pending").isEmpty)
        }
    }

    @Test func sortsAndPages() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let world = try await AccountsWorld(app)
            var filed: [String] = []
            for host in ["c", "a", "e", "b", "d"] {
                filed.append(try await world.fileURLReport("https://\(host).example.com/"))
                clock.advance(by: 60)
            }
            try await world.accept(filed[4])
            let base = world.reports(world.acme)
            func ids(_ query: String) async throws -> [String] {
                try await world.send(.GET, base + "?" + query, token: world.acmeToken).ids()
            }
            #expect(try await ids("") == filed.reversed(), "newest first by default")
            #expect(try await ids("sort=cdate,asc") == filed)
            #expect(try await ids("sort=id,asc") == filed, "ids sort by time")
            #expect(try await ids("sort=domain,asc") == [filed[1], filed[3], filed[0], filed[4], filed[2]])
            #expect(try await ids("sort=domain,desc") == [filed[2], filed[4], filed[0], filed[3], filed[1]])
            #expect(try await ids("sort=status,asc").first == filed[4], "accepted before in_review")
            #expect(try await ids("sort=status,desc").last == filed[4])
            #expect(try await ids("sort=type") .count == 5)

            let first = try await world.send(.GET, base + "?per_page=2&sort=cdate,asc", token: world.acmeToken)
            #expect(try first.ids() == Array(filed[0..<2]))
            #expect(try first.json["result_info"] == ["page": 1, "per_page": 2, "count": 2, "total_count": 5, "total_pages": 3])
            let last = try await world.send(.GET, base + "?per_page=2&page=3&sort=cdate,asc", token: world.acmeToken)
            #expect(try last.ids() == [filed[4]])
            #expect(try last.json["result_info"]?["count"] == 1)
            let beyond = try await world.send(.GET, base + "?per_page=2&page=9", token: world.acmeToken)
            #expect(beyond.status == .ok)
            #expect(try beyond.ids().isEmpty)
            #expect(try beyond.json["result_info"] == ["page": 9, "per_page": 2, "count": 0, "total_count": 5, "total_pages": 3])
            #expect(try await world.send(.GET, base + "?per_page=100", token: world.acmeToken).status == .ok)
        }
    }

    @Test func badParametersAreNamedEachAndChangeNothing() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let base = world.reports(world.acme)
            for (query, field) in [("per_page=0", "per_page"), ("per_page=101", "per_page"), ("page=0", "page"), ("page=x", "page"),
                                   ("status=denied", "status"), ("type=SPAM", "type"), ("mitigation_status=gone", "mitigation_status"),
                                   ("sort=colour,asc", "sort"), ("sort=cdate,up", "sort"), ("created_before=yesterday", "created_before"),
                                   ("domain=not%20a%20domain", "domain"), ("colour=red", "colour"), ("per_page=5&per_page=6", "per_page")] {
                let response = try await world.send(.GET, base + "?" + query, token: world.acmeToken)
                #expect(response.status == .badRequest, "\(query)")
                #expect(try response.errorFields == [field], "\(query): \(response.body.string)")
                #expect(try response.json["success"] == false)
                #expect(try response.json["result"] == .null)
            }
            let many = try await world.send(.GET, base + "?per_page=0&status=x&sort=y", token: world.acmeToken)
            #expect(Set(try many.errorFields) == ["per_page", "status", "sort"])
            #expect(try many.json["errors"]?[0]?["message"]?.stringValue?.hasPrefix("status: Must be one of") == true)
        }
    }
}
