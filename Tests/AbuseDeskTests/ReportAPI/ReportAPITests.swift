import AbuseDeskCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import AbuseDesk

@Suite struct ReportAPITests {
    @Test func filesAReportAndStoresItForGood() async throws {
        try await withTestApp { app in
            let response = try await app.send(.POST, "/report/v2.0/abuse", json: Reports.ip([
                "ipAddressList": [["sourceIp": "2001:db8::7", "sourcePort": "51000"]],
                "severity": "high", "reporterOrg": "Example CERT",
            ]))
            #expect(response.status == .ok)
            let body = try response.json
            let id = try #require(body["reportId"]?.stringValue)
            #expect(body["code"] == "OK")
            #expect(body["message"]?.stringValue == id)
            #expect(Identifier.isWellFormed(id))

            let report = try #require(try await ReportModel.find(id, on: app.db))
            #expect(report.channel == "report_api")
            #expect(report.status == "new")
            #expect(report.reportType == "NETWORK")
            #expect(report.incidentType == "Account Compromise/Unauthorized Access")
            #expect(report.severity == "High")
            #expect(report.reporterOrg == "Example CERT")
            #expect(report.incidentAt == Date(timeIntervalSince1970: 1_795_168_800))
            #expect(report.accountID == nil)
            #expect(report.domain == "203.0.113.9")
            let targets = try await report.$indexedTargets.query(on: app.db).sort(\.$position).all()
            #expect(targets.map(\.source) == ["203.0.113.9", "2001:db8::7"])
            #expect(targets.map(\.ipKey) == [IPAddress("203.0.113.9")?.indexKey, IPAddress("2001:db8::7")?.indexKey])
            #expect(targets.map(\.destinationPort) == [22, nil])
            #expect(targets.map(\.sourcePort) == [nil, 51000])

            let receipt = try #require(try await OutboxMessageModel.query(on: app.db).filter(\.$reportID == id).first())
            #expect(receipt.audience == "reporter" && receipt.recipient == "jane@example.org")
            #expect(receipt.subject == "Report \(id) received: Account Compromise/Unauthorized Access")
            #expect(receipt.body.contains("Reported:   203[.]0[.]113[.]9\n            2001:db8::7 port 51000"))
            #expect(receipt.receiptTo == "jane@example.org")
            #expect(try await app.count("outbox_messages") == 1)
        }
    }

    @Test func urlReportsStoreTheirHosts() async throws {
        try await withTestApp { app in
            let response = try await app.send(.POST, "/report/v2.0/abuse", json: Reports.url([
                "urlList": [["sourceUrl": "http://Phish.Example.NET:8080/a?b=c", "destinationUrl": "https://collect.example.org/"]],
            ]))
            #expect(response.status == .ok)
            let id = try #require(try response.json["reportId"]?.stringValue)
            let targets = try await ReportTargetModel.query(on: app.db).filter(\.$report.$id == id).sort(\.$position).all()
            #expect(targets.map(\.host) == ["login.example.com", "phish.example.net"])
            #expect(targets.map(\.hostReversed) == ["com.example.login", "net.example.phish"])
            #expect(targets.map(\.source) == ["https://login.example.com/secure", "http://phish.example.net:8080/a?b=c"])
            #expect(targets.last?.destinationURL == "https://collect.example.org/")
            #expect(try await ReportModel.find(id, on: app.db)?.reportType == "PHISH")
        }
    }

    @Test func aTestSubmissionFilesNothing() async throws {
        try await withTestApp { app in
            let response = try await app.send(.POST, "/report/v2.0/abuse", json: Reports.ip(["testSubmission": true]))
            #expect(response.status == .ok)
            #expect(try response.json == ReportAPIResponses.validTest)
            #expect(try await app.count("reports") == 0)
            #expect(try await app.count("outbox_messages") == 0, "a test submission sends no receipt")
        }
    }

    @Test func everyProblemIsAnsweredAtOnceAndNothingIsFiled() async throws {
        try await withTestApp { app in
            let response = try await app.send(.POST, "/report/v2.0/abuse", json: Reports.ip([
                "reporterEmail": "jane", "date": "2021-02-30", "timeZone": "+15:00", "sourceIp": "192.168.1.1",
                "tlp": "RED", "ipAddressList": [["sourceIp": "203.0.113.1"], ["sourceIp": "nope"]],
            ]))
            #expect(response.status == .badRequest)
            let body = try response.json
            #expect(body["code"] == "ValidationFailed")
            #expect(body["message"] == "The report has 6 problems: tlp, reporterEmail, date, timeZone, sourceIp, ipAddressList[1].sourceIp.")
            let errors = try #require(body["errors"]?.objectValue)
            #expect(Set(errors.keys) == ["tlp", "reporterEmail", "date", "timeZone", "sourceIp", "ipAddressList[1].sourceIp"])
            #expect(errors["date"]?.arrayValue?.first?.stringValue?.contains("February 2021 has 28 days") == true)
            #expect(try await app.count("reports") == 0)
            #expect(try await app.count("outbox_messages") == 0)
        }
    }

    @Test(arguments: [
        ("{\"reporterName\": ", "MalformedJSON"),
        ("[1, 2", "MalformedJSON"),
        ("", "MalformedJSON"),
    ])
    func malformedJSONIsA400(body: String, code: String) async throws {
        try await withTestApp { app in
            let response = try await app.send(.POST, "/report/v2.0/abuse", body: body)
            #expect(response.status == .badRequest)
            #expect(try response.json["code"] == .string(code))
        }
    }

    @Test func invalidUTF8IsA400() async throws {
        try await withTestApp { app in
            var buffer = ByteBuffer(string: #"{"reporterName":""#)
            buffer.writeBytes([0xFF, 0xFE])
            buffer.writeString(#""}"#)
            var response: TestingHTTPResponse?
            try await app.testing().test(.POST, "/report/v2.0/abuse", headers: ["Content-Type": "application/json"], body: buffer) { response = $0 }
            let answer = try #require(response)
            #expect(answer.status == .badRequest)
            #expect(try answer.json["message"]?.stringValue?.contains("not valid UTF-8") == true)
        }
    }

    @Test(arguments: ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1"])
    func aWrongContentTypeIsA415(contentType: String) async throws {
        try await withTestApp { app in
            let response = try await app.send(.POST, "/report/v2.0/abuse", json: Reports.ip(), contentType: contentType)
            #expect(response.status == .unsupportedMediaType)
            #expect(try response.json["code"] == "UnsupportedMediaType")
        }
    }

    @Test func jsonWithACharsetParameterIsAccepted() async throws {
        try await withTestApp { app in
            let response = try await app.send(.POST, "/report/v2.0/abuse", json: Reports.ip(), contentType: "application/json; charset=UTF-8")
            #expect(response.status == .ok)
        }
    }

    @Test func aBodyOverOneMebibyteIsA413() async throws {
        try await withTestApp { app in
            let notes = String(repeating: "x", count: 1024 * 1024)
            let response = try await app.sendLive(.POST, "/report/v2.0/abuse", headers: ["Content-Type": "application/json"],
                                                  body: ByteBuffer(string: Reports.ip(["reportNotes": .string(notes)]).serialized()))
            #expect(response.status == .payloadTooLarge)
            #expect(try response.json["code"] == "PayloadTooLarge")
            #expect(try await app.count("reports") == 0)
        }
    }

    @Test func aBodyJustUnderTheLimitIsRead() async throws {
        try await withTestApp { app in
            // 10,000 characters of notes is the most a report may have: the answer is about the report, not the size.
            let notes = String(repeating: "x", count: 10_001)
            let response = try await app.sendLive(.POST, "/report/v2.0/abuse", headers: ["Content-Type": "application/json"],
                                                  body: ByteBuffer(string: Reports.ip(["reportNotes": .string(notes)]).serialized()))
            #expect(response.status == .badRequest)
            #expect(try response.json["errors"]?["reportNotes"] != nil)
        }
    }

    @Test func routesToTheAccountServingTheHost() async throws {
        try await withTestApp { app in
            let account = AccountModel()
            account.id = Identifier.make()
            account.name = "Example Shop"
            account.createdAt = Date()
            try await account.create(on: app.db)
            let domain = AccountDomainModel()
            domain.id = Identifier.make()
            domain.$account.id = try account.requireID()
            domain.domain = "example.com"
            domain.createdAt = Date()
            try await domain.create(on: app.db)
            try await app.abuseDesk.directory.reload(from: app.db)

            let response = try await app.send(.POST, "/report/v2.0/abuse", json: Reports.url())
            let id = try #require(try response.json["reportId"]?.stringValue)
            let report = try #require(try await ReportModel.find(id, on: app.db))
            #expect(report.accountID == account.id)
            let routing = try JSONDecoder().decode(RoutingDecision.self, from: Data(report.routing.utf8))
            #expect(routing == RoutingDecision(accountID: account.id, rule: .domain, ruleValue: "example.com", matched: "login.example.com"))
        }
    }

    @Test func aBearerTokenIsNotRequired() async throws {
        try await withTestApp { app in
            let response = try await app.send(.POST, "/report/v2.0/abuse", json: Reports.ip())
            #expect(response.status == .ok)
        }
    }

    @Test func theTaxonomyIsServed() async throws {
        try await withTestApp { app in
            let response = try await app.send(.GET, "/report/v2.0/taxonomy")
            #expect(response.status == .ok)
            #expect(response.headers.contentType == .json)
            let taxonomy = try JSONDecoder().decode(Taxonomy.self, from: Data(buffer: response.body))
            #expect(taxonomy == app.abuseDesk.taxonomy)
        }
    }

    @Test func unknownPathsAnswerInTheSameShape() async throws {
        try await withTestApp { app in
            let response = try await app.send(.GET, "/report/v2.0/nothing-here")
            #expect(response.status == .notFound)
            #expect(try response.json["code"] == "NotFound")
        }
    }
}
