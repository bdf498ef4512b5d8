import AbuseDeskCore
import Fluent
import Foundation
import Testing
import Vapor
@testable import AbuseDesk

/// E-mail to addresses nobody verified is bounded (QA finding 3).
@Suite struct MailCannonTests {
    static func legacyRequest(threats: Int, email: String = "victim@mailbomb.example") -> JSONValue {
        let threat: JSONValue = ["threat": ["threatType": "activity", "threatSubType": "PORT_SCAN", "sourceIp": "203.0.113.9",
                                            "date": "2026-11-20", "time": "10:00:00", "timeZone": "+0000"]]
        return ["testSubmission": "false",
                "reporterInfo": ["reporterEmail": .string(email), "reporterName": "Hello Your mailbox is full - sign in at https://evil.example",
                                 "discloseEmail": "true"],
                "reports": [["report": ["batchID": "b1", "reportNotes": "scan", "threats": .array(Array(repeating: threat, count: threats))]]]]
    }

    /// One anonymous v1 request with 1,000 threats queued 1,000 receipts to a victim's address.
    @Test func oneRequestSendsOneReceiptWhateverItFiled() async throws {
        try await withTestApp { app in
            let response = try await app.send(.POST, "/engage/cars", json: Self.legacyRequest(threats: 1000))
            #expect(response.status == .accepted)
            #expect(try await app.count("reports") == 1000)
            let receipts = try await OutboxMessageModel.query(on: app.db).all()
            #expect(receipts.count == 1)
            let receipt = try #require(receipts.first)
            #expect(receipt.subject.hasPrefix("1000 reports received") && receipt.body.contains("and 950 more"))
            #expect(!receipt.body.contains("mailbox is full") && !receipt.body.contains("https://"), "no text the sender chose")
        }
    }

    @Test func anAddressGetsAtMostItsHourlyBudgetOfReceipts() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock, configure: { $0.receiptsPerHour = 3 }) { app in
            for index in 0..<5 {
                // The local part in other letters is the same mailbox.
                let email = index % 2 == 0 ? "victim@mailbomb.example" : "Victim@Mailbomb.Example"
                let filed = try await app.send(.POST, "/report/v2.0/abuse", json: Reports.ip(["reporterEmail": .string(email)]))
                #expect(filed.status == .ok)
            }
            let other = try await app.send(.POST, "/report/v2.0/abuse", json: Reports.ip(["reporterEmail": "someone@else.example"]))
            #expect(other.status == .ok)
            #expect(try await app.count("reports") == 6, "every report is filed")
            let receipts = try await OutboxMessageModel.query(on: app.db).all()
            #expect(receipts.filter { $0.receiptTo == "victim@mailbomb.example" }.count == 3)
            #expect(receipts.filter { $0.receiptTo == "someone@else.example" }.count == 1)
            #expect(app.abuseDesk.metrics.registry.emitToString().contains("abusedesk_receipts_skipped_total 2"))
            // An hour later the address has its budget again.
            clock.advance(by: 3601)
            #expect(try await app.send(.POST, "/report/v2.0/abuse", json: Reports.ip(["reporterEmail": "victim@mailbomb.example"])).status == .ok)
            #expect(try await OutboxMessageModel.query(on: app.db).filter(\.$receiptTo == "victim@mailbomb.example").count() == 4)
        }
    }

    /// The public rate limit counts reports filed: a request of many threats uses up the address's limit.
    @Test func theRateLimitCountsReportsNotRequests() async throws {
        try await withTestApp(configure: { $0.rateLimitPerMinute = 10 }) { app in
            let first = try await app.send(.POST, "/engage/cars", json: Self.legacyRequest(threats: 25))
            #expect(first.status == .accepted)
            #expect(first.headers.first(name: "RateLimit-Limit") == "10" && first.headers.first(name: "RateLimit-Remaining") == "0")
            let next = try await app.send(.POST, "/report/v2.0/abuse", json: Reports.ip())
            #expect(next.status == .tooManyRequests)
            let wait = try #require(next.headers.first(name: "Retry-After").flatMap(Int.init))
            #expect(wait >= 60, "16 reports beyond the limit take more than a minute to pay back; got \(wait)")
            #expect(try await app.count("reports") == 25)
        }
    }

    /// QA finding 23: successful answers carried no RateLimit-* headers.
    @Test func everyPublicAnswerSaysWhereTheCallerStands() async throws {
        try await withTestApp(configure: { $0.rateLimitPerMinute = 60 }) { app in
            let answer = try await app.send(.GET, "/report/v2.0/taxonomy")
            #expect(answer.status == .ok)
            #expect(answer.headers.first(name: "RateLimit-Limit") == "60")
            #expect(answer.headers.first(name: "RateLimit-Remaining") == "59")
            #expect(answer.headers.first(name: "RateLimit-Reset").flatMap(Int.init).map { (1...2).contains($0) } == true)
            #expect(answer.headers.first(name: "RateLimit-Policy") == "60;w=60")
        }
    }
}
