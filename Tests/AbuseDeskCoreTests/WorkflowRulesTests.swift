import Foundation
import Testing
@testable import AbuseDeskCore

@Suite struct WorkflowRulesTests {
    @Test func eachSideSeesItsOwnStatus() {
        #expect(CustomerReportStatus(status: .new, denialReason: nil) == .inReview)
        #expect(CustomerReportStatus(status: .triage, denialReason: nil) == .inReview)
        #expect(CustomerReportStatus(status: .accepted, denialReason: nil) == .accepted)
        #expect(CustomerReportStatus(status: .denied, denialReason: "no_abuse_found") == nil)
        #expect(CustomerReportStatus(status: .closed, denialReason: nil) == .accepted)
        #expect(CustomerReportStatus(status: .closed, denialReason: "duplicate_report") == nil)
        #expect(SubmitterReportStatus(status: .triage, denialReason: nil) == .submitted)
        #expect(SubmitterReportStatus(status: .accepted, denialReason: nil) == .accepted)
        #expect(SubmitterReportStatus(status: .closed, denialReason: "duplicate_report") == .denied)
    }

    @Test func decisionsFollowTheWorkflow() {
        #expect(ReportDecision.accept.refusal(from: .new, liveMitigations: 0) == nil)
        #expect(ReportDecision.deny(.noAbuseFound).refusal(from: .triage, liveMitigations: 0) == nil)
        #expect(ReportDecision.accept.refusal(from: .accepted, liveMitigations: 0) == "The report is already accepted.")
        #expect(ReportDecision.deny(.noAbuseFound).refusal(from: .accepted, liveMitigations: 0) == nil)
        #expect(ReportDecision.deny(.noAbuseFound).refusal(from: .accepted, liveMitigations: 2)?.contains("2 mitigations") == true)
        #expect(ReportDecision.accept.refusal(from: .denied, liveMitigations: 0) != nil)
        #expect(ReportDecision.accept.refusal(from: .closed, liveMitigations: 0) == "The report is closed.")
    }

    @Test func appealEligibility() {
        let fresh = AppealEligibility(mitigationStatuses: [.active, .cancelled], hasOpenAppeal: false, appealCount: 0)
        #expect(fresh.appealable && fresh.hasAppealableMitigations && fresh.maxAppeals == 3)
        let used = AppealEligibility(mitigationStatuses: [.active], hasOpenAppeal: false, appealCount: 3)
        #expect(!used.appealable)
        let nothing = AppealEligibility(mitigationStatuses: [.removed, .cancelled, .inReview], hasOpenAppeal: true, appealCount: 1)
        #expect(!nothing.appealable && !nothing.hasAppealableMitigations && nothing.hasOpenAppeal)
    }

    @Test func mitigationStatusesMoveByTheirEffectiveDate() {
        let now = Date(timeIntervalSince1970: 1_795_435_200)
        #expect(MitigationStatus.inForce(effectiveDate: now, at: now) == .active, "due at the instant itself")
        #expect(MitigationStatus.inForce(effectiveDate: now + 1, at: now) == .pending)
        #expect(MitigationStatus.afterAppeal(granted: true, effectiveDate: now - 60, at: now) == .removed)
        #expect(MitigationStatus.afterAppeal(granted: false, effectiveDate: now - 60, at: now) == .active)
        #expect(MitigationStatus.afterAppeal(granted: false, effectiveDate: now + 60, at: now) == .pending)
        #expect(MitigationStatus.allCases.filter(\.isCancellable) == [.pending])
    }

    @Test func mitigationOrders() throws {
        let now = Date(timeIntervalSince1970: 1_795_435_200)
        let statement: JSONValue = ["ground": "ToS 4.2", "facts": "A phishing page.", "automated": false]
        let order = try MitigationOrder.parse(["type": "phishing_interstitial", "entity_type": "url_pattern", "entity_id": "example.com/*",
                                               "statement": statement], now: now).get()
        #expect(order.isActive(at: now))
        #expect(order.statement.appeal == StatementOfReasons.defaultAppeal)
        let later = try MitigationOrder.parse(["type": "geo_block", "entity_type": "zone", "entity_id": "example.com",
                                               "effective_date": "2026-12-01T00:00:00Z", "statement": statement], now: now).get()
        #expect(!later.isActive(at: now))
        guard case .failure(let failure) = MitigationOrder.parse(["type": "nuke", "entity_type": "planet", "effective_date": "2020-01-01T00:00:00Z",
                                                                  "statement": ["ground": "x"]], now: now) else {
            Issue.record("a bad order was accepted")
            return
        }
        let fields = Set(failure.problems.map(\.path))
        #expect(fields == ["type", "entity_type", "entity_id", "effective_date", "statement.facts", "statement.automated"], "\(fields)")
        // QA finding 15: a mitigation effective in the year 9999 was accepted.
        guard case .failure(let far) = MitigationOrder.parse(["type": "network_block", "entity_type": "zone", "entity_id": "example.com",
                                                              "effective_date": "9999-12-31T23:59:59Z", "statement": statement], now: now) else {
            Issue.record("a mitigation scheduled for 9999 was accepted")
            return
        }
        #expect(far.problems.map(\.path) == ["effective_date"] && far.problems[0].message.contains("within a year"))
    }

    @Test func appealBodiesInBothForms() throws {
        #expect(try AppealRequest.parse(["appeals": [["id": "m1", "reason": "removed"], ["id": "m2", "reason": "misclassified"]]]).get()
                == .listed([("m1", .removed, nil), ("m2", .misclassified, nil)]))
        // QA finding 18: a customer can say why, in their own words.
        #expect(try AppealRequest.parse(["appeals": [["id": "m1", "reason": "misclassified", "comments": "It was a training page for our staff."]]]).get()
                == .listed([("m1", .misclassified, "It was a training page for our staff.")]))
        let counterNotice: JSONValue = ["type": "counter_notice", "data": [
            "full_name": "Kim Owner", "signature": "Kim Owner", "email": "kim@example.net", "phone_number": "+1 555 0100",
            "street_address": "2 Side St", "city": "Springfield", "state": "IL", "zip_code": "62701", "country": "US",
            "jurisdiction_consent": true, "perjury_attestation": true, "urls": ["https://shop.example.com/photo"]]]
        guard case .whole(.counterNotice, let details) = try AppealRequest.parse(counterNotice).get() else {
            Issue.record("a counter-notice was not read")
            return
        }
        #expect(details["urls"] == ["https://shop.example.com/photo"])
        #expect(try AppealRequest.parse(["type": "content_removed"]).get() == .whole(reason: .contentRemoved, details: [:]))

        func fields(_ body: JSONValue) -> Set<String> {
            if case .failure(let failure) = AppealRequest.parse(body) { return Set(failure.problems.map(\.path)) }
            return []
        }
        #expect(fields([:]) == ["appeals"])
        #expect(fields(["appeals": [], "type": "content_removed"]).contains("type"))
        #expect(fields(["appeals": []]) == ["appeals"])
        #expect(fields(["appeals": [["id": "m1", "reason": "bored"], ["id": "m1", "reason": "removed"], ["reason": "removed"]]])
                == ["appeals[0].reason", "appeals[1].id", "appeals[2].id"])
        #expect(fields(["type": "counter_notice"]) == ["data"])
        #expect(fields(["type": "counter_notice", "data": ["full_name": "Kim", "signature": "Someone", "jurisdiction_consent": false,
                                                            "urls": "https://x.example/"]])
                .isSuperset(of: ["data.signature", "data.jurisdiction_consent", "data.perjury_attestation", "data.urls", "data.email"]))
    }

    @Test func rfc3339() throws {
        let date = try #require(RFC3339.parse("2026-11-23T14:05:09Z"))
        #expect(RFC3339.format(date) == "2026-11-23T14:05:09Z")
        #expect(RFC3339.parse("2026-11-23T16:05:09+02:00") == date)
        #expect(RFC3339.parse("2026-11-23t14:05:09.5z")?.timeIntervalSince(date) == 0.5)
        #expect(RFC3339.parse("2026-11-23") == Date(timeIntervalSince1970: 1_795_392_000))
        #expect(RFC3339.format(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
        // Written in place: the same text as Foundation's formatter for any second from 1600 (before the
        // Gregorian reform Foundation counts Julian days; we count Gregorian ones, as RFC 3339 does) to
        // 9999, and a year beyond still written whole.
        let reference = ISO8601DateFormatter()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let when = Date(timeIntervalSince1970: Double(Int64.random(in: -11_676_096_000...253_402_300_799, using: &generator)))
            #expect(RFC3339.format(when) == reference.string(from: when), "\(when.timeIntervalSince1970)")
        }
        #expect(RFC3339.format(Date(timeIntervalSince1970: 253_402_300_800)) == "10000-01-01T00:00:00Z")
        for bad in ["2026-02-30T00:00:00Z", "2026-11-23T25:00:00Z", "2026-11-23T14:05:09", "yesterday", "2026-11-23T14:05:09+0200", ""] {
            #expect(RFC3339.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func onlyADecidedReportWithoutOpenAppealsIsClosed() {
        #expect(ReportStatus.new.closeRefusal(openAppeals: 0)?.contains("not decided yet") == true)
        #expect(ReportStatus.triage.closeRefusal(openAppeals: 0) != nil)
        #expect(ReportStatus.accepted.closeRefusal(openAppeals: 0) == nil && ReportStatus.denied.closeRefusal(openAppeals: 0) == nil)
        #expect(ReportStatus.accepted.closeRefusal(openAppeals: 2) == "The report has 2 open appeals; answer them before closing the report.")
        #expect(ReportStatus.closed.closeRefusal(openAppeals: 0) == "The report is already closed.")
        // A closed report still shows as what it was decided to be.
        #expect(CustomerReportStatus(status: .closed, denialReason: nil) == .accepted)
        #expect(CustomerReportStatus(status: .closed, denialReason: "no_abuse_found") == nil)
        #expect(SubmitterReportStatus(status: .closed, denialReason: "no_abuse_found") == .denied)
    }

    @Test func tokens() {
        let token = AccessToken()
        #expect(AccessToken.isWellFormed(token.secret))
        #expect(token.hash.count == 64 && token.hash != token.secret)
        #expect(AccessToken.hash(token.secret) == token.hash)
        #expect(AccessToken().secret != token.secret)
        #expect(!AccessToken.isWellFormed("short") && !AccessToken.isWellFormed(String(repeating: "!", count: 43)))
    }
}
