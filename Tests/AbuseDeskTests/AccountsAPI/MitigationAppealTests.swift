import AbuseDeskCore
import Fluent
import Foundation
import Testing
import Vapor
@testable import AbuseDesk

@Suite struct MitigationAppealTests {
    /// An accepted report of acme with an active phishing interstitial, a pending geo block and an active legal block,
    /// a second apart.
    private func mitigatedReport(_ world: AccountsWorld, clock: TestClock? = nil) async throws -> (report: String, interstitial: String, geoBlock: String, legal: String) {
        let report = try await world.fileURLReport("https://login.example.com/secure")
        clock?.advance(by: 1)
        try await world.accept(report)
        clock?.advance(by: 1)
        let interstitial = try await world.mitigate(report)
        clock?.advance(by: 1)
        let geoBlock = try await world.mitigate(report, type: "geo_block", entityType: "zone", effective: "2026-12-01T00:00:00Z")
        clock?.advance(by: 1)
        let legal = try await world.mitigate(report, type: "legal_block", entityType: "account")
        clock?.advance(by: 1)
        return (report, interstitial, geoBlock, legal)
    }

    @Test func mitigationsWithFiltersSortsAndPages() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let world = try await AccountsWorld(app)
            let (report, interstitial, geoBlock, legal) = try await mitigatedReport(world, clock: clock)
            let base = world.reports(world.acme) + "/\(report)/mitigations"
            func ids(_ query: String) async throws -> [String] {
                let response = try await world.send(.GET, base + "?" + query, token: world.acmeReadOnly)
                #expect(response.status == .ok, "\(query): \(response.body.string)")
                return try response.ids("mitigations")
            }
            let all = try await world.send(.GET, base, token: world.acmeReadOnly)
            #expect(try all.result["mitigations"]?[0] == ["id": .string(interstitial), "type": "phishing_interstitial", "entity_type": "url_pattern",
                                                         "entity_id": "login.example.com/*", "status": "active",
                                                         "effective_date": "2026-11-23T12:00:02Z",
                                                         "statement": ["ground": "Terms of service 4.2", "facts": "A phishing page.", "automated": false,
                                                                       "appeal": .string("Ask for a review through the Accounts API, POST /client/v4/accounts/\(world.acme)/abuse-reports/\(report)/mitigations/appeal, saying why the mitigation should be lifted.")]])
            #expect(try all.ids("mitigations") == [interstitial, legal, geoBlock], "by effective date")
            #expect(try all.json["result_info"]?["total_count"] == 3)
            #expect(try await ids("status=pending") == [geoBlock])
            #expect(Set(try await ids("status=active")) == [interstitial, legal])
            #expect(Set(try await ids("type=geo_block&type=legal_block")) == [geoBlock, legal])
            #expect(try await ids("entity_type=zone") == [geoBlock])
            #expect(try await ids("effective_after=2026-11-24T00:00:00Z") == [geoBlock])
            #expect(Set(try await ids("effective_before=2026-11-24T00:00:00Z")) == [interstitial, legal])
            #expect(try await ids("sort=type,asc") == [geoBlock, legal, interstitial])
            #expect(try await ids("sort=type,desc") == [interstitial, legal, geoBlock])
            #expect(try await ids("sort=effective_date,desc").first == geoBlock)
            #expect(try await ids("sort=status,asc").last == geoBlock)
            #expect(try await ids("sort=entity_type,asc").first == legal)
            #expect(try await ids("per_page=2&page=2&sort=type,asc") == [interstitial])
            #expect(try await ids("per_page=2&page=5").isEmpty)
            for (query, field) in [("status=live", "status"), ("type=nuke", "type"), ("entity_type=planet", "entity_type"),
                                   ("sort=when,asc", "sort"), ("per_page=0", "per_page"), ("effective_after=soon", "effective_after")] {
                let response = try await world.send(.GET, base + "?" + query, token: world.acmeReadOnly)
                #expect(response.status == .badRequest, "\(query)")
                #expect(try response.errorFields == [field])
            }
        }
    }

    @Test func appealingNamedMitigationsPutsThemInReviewOnceAndTellsTheCustomer() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let world = try await AccountsWorld(app)
            let (report, interstitial, geoBlock, _) = try await mitigatedReport(world, clock: clock)
            let base = world.reports(world.acme) + "/\(report)"
            let eligibility = try await world.send(.GET, base + "/appeals/eligibility", token: world.acmeReadOnly).result
            #expect(eligibility == ["appealable": true, "has_appealable_mitigations": true, "has_open_appeal": false, "appeal_count": 0, "max_appeals": 3])

            let body: JSONValue = ["appeals": [["id": .string(interstitial), "reason": "removed"], ["id": .string(geoBlock), "reason": "misclassified"]]]
            let first = try await world.send(.POST, base + "/mitigations/appeal", token: world.acmeToken, json: body)
            #expect(first.status == .ok, "\(first.body.string)")
            #expect(try first.result.arrayValue?.map { $0["id"]?.stringValue ?? "" } == [interstitial, geoBlock])
            #expect(try first.result.arrayValue?.allSatisfy { $0["status"] == "in_review" } == true)
            // Repeating an open appeal changes nothing.
            let again = try await world.send(.POST, base + "/mitigations/appeal", token: world.acmeToken, json: body)
            #expect(again.status == .ok)
            #expect(try again.result == first.result)
            #expect(try await AppealModel.query(on: app.db).count() == 2)
            let after = try await world.send(.GET, base + "/appeals/eligibility", token: world.acmeReadOnly).result
            #expect(after == ["appealable": true, "has_appealable_mitigations": true, "has_open_appeal": true, "appeal_count": 1, "max_appeals": 3])
            let summary = try await world.send(.GET, base, token: world.acmeReadOnly).result["mitigation_summary"]
            #expect(summary?["in_review_count"] == 2)
            #expect(summary?["active_count"] == 1)

            // The customer's e-mails: accepted, three mitigations, the appeal received — only once sent.
            #expect(try await world.send(.GET, base + "/emails", token: world.acmeReadOnly).ids("emails").isEmpty)
            try await world.deliverMail()
            let emails = try await world.send(.GET, base + "/emails", token: world.acmeReadOnly)
            let subjects = try emails.result["emails"]?.arrayValue?.compactMap { $0["subject"]?.stringValue } ?? []
            #expect(subjects.count == 5, "\(subjects)")
            #expect(subjects.first == "Abuse report \(report) accepted: Phishing")
            #expect(subjects.last == "Appeal received for abuse report \(report)")
            #expect(try emails.result["emails"]?[0]?["recipient"] == "abuse@example.com")
            #expect(try emails.result["emails"]?[1]?["body"]?.stringValue?.contains("Ground:     Terms of service 4.2") == true)
            #expect(try emails.json["result_info"]?["total_count"] == 5)
            #expect(try await world.send(.GET, base + "/emails?per_page=2&page=3", token: world.acmeReadOnly).ids("emails").count == 1)
        }
    }

    @Test func appealingTheWholeReport() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let (report, _, _, _) = try await mitigatedReport(world)
            let base = world.reports(world.acme) + "/\(report)/mitigations/appeal"
            // A counter-notice answers copyright and trademark reports only.
            let notice: JSONValue = ["type": "counter_notice", "data": [
                "full_name": "Kim Owner", "signature": "Kim Owner", "email": "kim@example.com", "phone_number": "+1 555 0100",
                "street_address": "2 Side St", "city": "Springfield", "state": "IL", "zip_code": "62701", "country": "US",
                "jurisdiction_consent": true, "perjury_attestation": true, "urls": ["https://login.example.com/secure"]]]
            let refused = try await world.send(.POST, base, token: world.acmeToken, json: notice)
            #expect(refused.status == .badRequest)
            #expect(try refused.errorFields == ["type"])
            #expect(try await AppealModel.query(on: app.db).count() == 0)

            let removed = try await world.send(.POST, base, token: world.acmeToken, json: ["type": "content_removed", "data": ["comments": "The page is gone."]])
            #expect(removed.status == .ok, "\(removed.body.string)")
            #expect(try removed.result.arrayValue?.count == 3)
            let appeals = try await AppealModel.query(on: app.db).all()
            #expect(appeals.count == 3 && Set(appeals.map(\.requestID)).count == 1)
            #expect(appeals.allSatisfy { $0.reason == "content_removed" && $0.details == #"{"comments":"The page is gone."}"# })
        }
    }

    @Test func whatCannotBeAppealed() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let (report, interstitial, geoBlock, legal) = try await mitigatedReport(world)
            let base = world.reports(world.acme) + "/\(report)/mitigations/appeal"
            let cancelled = try #require(try await MitigationModel.find(geoBlock, on: app.db))
            cancelled.status = MitigationStatus.cancelled.rawValue
            try await cancelled.save(on: app.db)

            let response = try await world.send(.POST, base, token: world.acmeToken, json: [
                "appeals": [["id": .string(interstitial), "reason": "removed"], ["id": .string(geoBlock), "reason": "removed"],
                            ["id": "1m84z7qqedpfb7pgjv0xgfmdxh", "reason": "removed"]]])
            #expect(response.status == .badRequest)
            #expect(try response.errorFields == ["appeals[1].id", "appeals[2].id"])
            #expect(try response.json["errors"]?[0]?["message"]?.stringValue?.contains("is cancelled") == true)
            #expect(try await MitigationModel.find(interstitial, on: app.db)?.status == "active", "nothing changed")

            let malformed = try await world.send(.POST, base, token: world.acmeToken, json: ["appeals": [["id": .string(legal), "reason": "bored"]]])
            #expect(try malformed.errorFields == ["appeals[0].reason"])
            let notJSON = try await world.send(.POST, base, token: world.acmeToken, body: "{nope")
            #expect(notJSON.status == .badRequest)
            #expect(try notJSON.json["errors"]?[0]?["code"] == 10005)

            // Three requests are the most; a fourth is refused.
            for mitigation in [interstitial, legal] {
                #expect(try await world.send(.POST, base, token: world.acmeToken, json: ["appeals": [["id": .string(mitigation), "reason": "removed"]]]).status == .ok)
                let row = try #require(try await MitigationModel.find(mitigation, on: app.db))
                row.status = "active"
                try await row.save(on: app.db)
                for appeal in try await AppealModel.query(on: app.db).filter(\.$mitigationID == mitigation).all() {
                    appeal.status = AppealStatus.rejected.rawValue
                    try await appeal.save(on: app.db)
                }
            }
            #expect(try await world.send(.POST, base, token: world.acmeToken, json: ["appeals": [["id": .string(legal), "reason": "misclassified"]]]).status == .ok)
            let row = try #require(try await MitigationModel.find(interstitial, on: app.db))
            #expect(row.status == "active")
            let fourth = try await world.send(.POST, base, token: world.acmeToken, json: ["appeals": [["id": .string(interstitial), "reason": "removed"]]])
            #expect(fourth.status == .conflict)
            #expect(try fourth.json["errors"]?[0]?["message"]?.stringValue?.contains("3 appeals") == true)
            let eligibility = try await world.send(.GET, world.reports(world.acme) + "/\(report)/appeals/eligibility", token: world.acmeToken).result
            #expect(eligibility["appealable"] == false && eligibility["appeal_count"] == 3)
        }
    }

    @Test func aReportWithoutMitigationsHasNothingToAppeal() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let report = try await world.fileURLReport()
            let response = try await world.send(.POST, world.reports(world.acme) + "/\(report)/mitigations/appeal", token: world.acmeToken,
                                                json: ["type": "content_removed"])
            #expect(response.status == .conflict)
            #expect(try response.json["errors"]?[0]?["code"] == 10010)
            let eligibility = try await world.send(.GET, world.reports(world.acme) + "/\(report)/appeals/eligibility", token: world.acmeToken).result
            #expect(eligibility == ["appealable": false, "has_appealable_mitigations": false, "has_open_appeal": false, "appeal_count": 0, "max_appeals": 3])
        }
    }

    @Test func theCustomerSeesOnlyItsOwnEmailsAndNeverTheHiddenReporter() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let report = try await world.fileURLReport("https://login.example.com/hidden", anonymize: true)
            try await world.accept(report)
            // A host and a reporter message about the same report are not the customer's.
            let now = app.abuseDesk.now()
            try await OutboxMessageModel(OutgoingMessage(audience: .host, recipient: "abuse@upstream.example", subject: "Forwarded",
                                                         body: "x", reportID: report), now: now).create(on: app.db)
            try await world.deliverMail()
            let emails = try await world.send(.GET, world.reports(world.acme) + "/\(report)/emails", token: world.acmeToken).result["emails"]?.arrayValue ?? []
            #expect(emails.map { $0["subject"]?.stringValue ?? "" } == ["Abuse report \(report) accepted: Phishing"])
            let body = emails.first?["body"]?.stringValue ?? ""
            #expect(body.contains("the reporter asked not to be named"))
            #expect(!body.contains("jane@example.org") && !body.contains("Jane Doe"))
        }
    }
}
