import AbuseDeskCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import AbuseDesk

@Suite struct LegacyAPITests {
    static func request(test: String = "false", threats: [JSONValue]? = nil) -> JSONValue {
        [
            "testSubmission": .string(test),
            "reporterInfo": ["reporterEmail": "jane@example.org", "reporterName": "Jane Doe", "discloseEmail": "false"],
            "reports": [["report": ["reportNotes": "Scans from this address.", "tlp": "GREEN", "threats": .array(threats ?? [
                ["threat": ["threatType": "activity", "threatSubType": "PORT_SCAN", "sourceIp": "203.0.113.9", "date": "2026-11-20", "time": "10:00", "timeZone": "Z"]],
                ["threat": ["threatType": "content", "threatSubType": "PHISHING", "sourceUrl": "https://phish.example.com/", "date": "2026-11-20", "time": "10:00", "timeZone": "Z"]],
            ])]]],
        ]
    }

    static func expectDeprecationHeaders(_ response: TestingHTTPResponse, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.headers.first(name: "Deprecation") == "@1772323200", sourceLocation: sourceLocation)
        #expect(response.headers.first(name: "Sunset") == "Mon, 01 Mar 2027 00:00:00 GMT", sourceLocation: sourceLocation)
        #expect(response.headers.first(name: "Link") == "</report/v2.0/abuse>; rel=\"successor-version\"", sourceLocation: sourceLocation)
    }

    @Test func filesEachThreatAsAReport() async throws {
        try await withTestApp { app in
            let response = try await app.send(.POST, "/engage/cars", json: Self.request())
            #expect(response.status == .accepted)
            Self.expectDeprecationHeaders(response)
            let body = try response.json
            #expect(body["code"] == "Accepted")
            let ids = (body["reportIds"]?.arrayValue ?? []).compactMap(\.stringValue)
            #expect(ids.count == 2)
            let reports = try await ReportModel.query(on: app.db).filter(\.$id ~~ ids).all()
            #expect(Set(reports.map(\.incidentType)) == ["Network Scanning", "Social Engineering"])
            #expect(reports.allSatisfy { $0.channel == "legacy_api" && $0.anonymize && $0.details.contains("GREEN") })
            // One receipt for the request, listing every report it filed.
            let receipts = try await OutboxMessageModel.query(on: app.db).all()
            #expect(receipts.count == 1)
            #expect(receipts.allSatisfy { $0.audience == "reporter" && $0.recipient == "jane@example.org" && $0.subject == "2 reports received, the first \(ids[0])" })
            #expect(ids.allSatisfy { id in receipts.allSatisfy { $0.body.contains(id) } })
        }
    }

    @Test func aTestSubmissionFilesNothing() async throws {
        try await withTestApp { app in
            let response = try await app.send(.POST, "/engage/cars", json: Self.request(test: "true"))
            #expect(response.status == .ok)
            #expect(try response.json["testSubmission"] == true)
            Self.expectDeprecationHeaders(response)
            #expect(try await app.count("reports") == 0)
            #expect(try await app.count("outbox_messages") == 0)
        }
    }

    @Test func oneBadThreatFilesNoneAndSaysWhere() async throws {
        try await withTestApp { app in
            let response = try await app.send(.POST, "/engage/cars", json: Self.request(threats: [
                ["threat": ["threatType": "activity", "threatSubType": "DOS", "sourceIp": "203.0.113.9", "date": "2026-11-20", "time": "10:00", "timeZone": "Z"]],
                ["threat": ["threatType": "activity", "threatSubType": "NOPE", "sourceIp": "203.0.113.9", "date": "2026-11-20", "time": "10:00", "timeZone": "Z"]],
            ]))
            #expect(response.status == .badRequest)
            Self.expectDeprecationHeaders(response)
            #expect(try response.json["errors"]?["reports[0].report.threats[1].threat.threatSubType"] != nil)
            #expect(try await app.count("reports") == 0)
        }
    }

    @Test func errorsOutsideTheHandlerCarryTheHeadersToo() async throws {
        try await withTestApp(configure: { $0.rateLimitPerMinute = 1 }) { app in
            let wrongType = try await app.send(.POST, "/engage/cars", json: Self.request(test: "true"), contentType: "text/plain")
            #expect(wrongType.status == .unsupportedMediaType)
            Self.expectDeprecationHeaders(wrongType)
            let limited = try await app.send(.POST, "/engage/cars", json: Self.request(test: "true"))
            #expect(limited.status == .tooManyRequests)
            Self.expectDeprecationHeaders(limited)
        }
    }

    @Test func afterTheSunsetItIsGone() async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_803_859_200))  // 2027-03-01T00:00:00Z
        try await withTestApp(clock: clock) { app in
            let response = try await app.send(.POST, "/engage/cars", json: Self.request())
            #expect(response.status == .gone)
            Self.expectDeprecationHeaders(response)
            #expect(try response.json["message"]?.stringValue?.contains("/report/v2.0/abuse") == true)
            #expect(try await app.count("reports") == 0)
        }
    }

    @Test func theSunsetIsConfigurable() async throws {
        try await withTestApp(configure: { $0.v1Sunset = Date(timeIntervalSince1970: 1_700_000_000) }) { app in
            let response = try await app.send(.POST, "/engage/cars", json: Self.request())
            #expect(response.status == .gone)
            #expect(response.headers.first(name: "Sunset") == "Tue, 14 Nov 2023 22:13:20 GMT")
        }
    }
}
