import AbuseDeskCore
import Fluent
import Foundation
import Testing
import Vapor
@testable import AbuseDesk

@Suite struct SubmitTests {
    /// The documented example body of each type, from the served OpenAPI document.
    static func examples(_ app: Application) async throws -> [String: JSONValue] {
        let document = try await app.send(.GET, "/openapi.json").json
        let operation = try #require(document["paths"]?["/client/v4/accounts/{account_id}/abuse-reports/{report_param}"]?["post"])
        let examples = try #require(operation["requestBody"]?["content"]?["application/json"]?["examples"]?.objectValue)
        var bodies: [String: JSONValue] = [:]
        for (_, example) in examples {
            if let value = example["value"], let act = value["act"]?.stringValue { bodies[act] = value }
        }
        return bodies
    }

    @Test func everyTypeIsFiledFromItsDocumentedExample() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let examples = try await Self.examples(app)
            #expect(Set(examples.keys) == Set(SubmissionAct.allCases.map(\.rawValue)))
            for act in SubmissionAct.allCases {
                let body = try #require(examples[act.rawValue])
                // The other account submits; the URLs are acme's.
                let response = try await world.send(.POST, world.reports(world.other) + "/\(act.rawValue)", token: world.otherToken, json: body)
                #expect(response.status == .ok, "\(act): \(response.body.string)")
                let json = try response.json
                #expect(json["success"] == true && json["result"] == "success" && json["request"] == ["act": .string(act.rawValue)])
                let id = try #require(json["abuse_rand"]?.stringValue)
                let report = try #require(try await ReportModel.find(id, on: app.db))
                #expect(report.reportType == act.reportType.rawValue)
                #expect(report.channel == "accounts_api")
                #expect(report.accountID == world.acme, "routed to the account serving the URLs")
                #expect(report.submitterAccountID == world.other)
            }
        }
    }

    @Test func everyProblemIsListedAndTheFirstIsTheMessage() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let response = try await world.send(.POST, world.reports(world.acme) + "/abuse_phishing", token: world.acmeToken,
                                                json: ["act": "abuse_phishing", "email": "x@", "urls": "https://login.example.com/\nhttps://other.example.com/"])
            #expect(response.status == .badRequest)
            let json = try response.json
            #expect(json["success"] == false && json["result"] == "error")
            #expect(json["err_code"] == "validation_failed" && json["error_code"] == "validation_failed")
            #expect(json["request"] == ["act": "abuse_phishing"])
            let errors = json["errors"]?.arrayValue ?? []
            let fields = Set(errors.compactMap { $0["field"]?.stringValue })
            #expect(fields.isSuperset(of: ["name", "email", "email2", "urls", "justification", "host_notification", "owner_notification"]))
            let first = try #require(errors.first)
            #expect(json["msg"] == .string("\(first["field"]?.stringValue ?? ""): \(first["message"]?.stringValue ?? "")"))
            #expect(try await app.count("reports") == 0)

            let wrongType = try await world.send(.POST, world.reports(world.acme) + "/abuse_spam", token: world.acmeToken, json: ["act": "abuse_spam"])
            #expect(wrongType.status == .badRequest)
            #expect(try wrongType.json["err_code"] == "invalid_report_type")
            #expect(try wrongType.json["errors"]?[0]?["field"] == "report_type")
            let notJSON = try await world.send(.POST, world.reports(world.acme) + "/abuse_threat", token: world.acmeToken, body: "{oops")
            #expect(notJSON.status == .badRequest)
            #expect(try notJSON.json["err_code"] == "malformed_json")
        }
    }

    @Test func notServedHereAndDuplicatesAreRefused() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let world = try await AccountsWorld(app)
            let examples = try await Self.examples(app)
            var body = try #require(examples["abuse_threat"]?.objectValue)
            body["urls"] = "https://nobody.example.org/threat"
            let foreign = try await world.send(.POST, world.reports(world.other) + "/abuse_threat", token: world.otherToken, json: .object(body))
            #expect(foreign.status == .badRequest)
            #expect(try foreign.json["err_code"] == "not_served_here")
            #expect(try foreign.json["msg"]?.stringValue?.contains("\"nobody.example.org\" is not served here") == true)

            body["urls"] = "https://shop.example.com/threat"
            #expect(try await world.send(.POST, world.reports(world.other) + "/abuse_threat", token: world.otherToken, json: .object(body)).status == .ok)
            clock.advance(by: 6 * 24 * 3600)
            let twice = try await world.send(.POST, world.reports(world.other) + "/abuse_threat", token: world.otherToken, json: .object(body))
            #expect(twice.status == .badRequest)
            #expect(try twice.json["err_code"] == "duplicate_report")
            #expect(try twice.json["errors"]?[0]?["code"] == "reported_already" && twice.json["errors"]?[0]?["field"] == "urls")
            // Another submitter may report it; the same one may again after seven days.
            #expect(try await world.send(.POST, world.reports(world.acme) + "/abuse_threat", token: world.acmeToken, json: .object(body)).status == .ok)
            clock.advance(by: 2 * 24 * 3600)
            #expect(try await world.send(.POST, world.reports(world.other) + "/abuse_threat", token: world.otherToken, json: .object(body)).status == .ok)
        }
    }

    @Test func submittedReportsWithTheirStatusFiltersAndEmails() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let world = try await AccountsWorld(app)
            let examples = try await Self.examples(app)
            func submit(_ act: String, url: String) async throws -> String {
                var body = try #require(examples[act]?.objectValue)
                body["urls"] = .string(url)
                let response = try await world.send(.POST, world.reports(world.other) + "/\(act)", token: world.otherToken, json: .object(body))
                #expect(response.status == .ok, "\(response.body.string)")
                clock.advance(by: 60)
                return try #require(try response.json["abuse_rand"]?.stringValue)
            }
            let phishing = try await submit("abuse_phishing", url: "https://login.example.com/p")
            let threat = try await submit("abuse_threat", url: "https://forum.example.com/t")
            let general = try await submit("abuse_general", url: "https://files.example.com/g")
            // And one through the Report Abuse API with the account's token.
            let viaAPI = try await world.fileURLReport("https://api.example.com/x", token: world.otherToken)
            try await world.accept(phishing)
            try await world.deny(threat, reason: "content_removed")

            let base = world.reports(world.other) + "/submitted"
            func ids(_ query: String) async throws -> Set<String> {
                let response = try await world.send(.GET, base + "?" + query, token: world.otherToken)
                #expect(response.status == .ok, "\(query): \(response.body.string)")
                return Set(try response.ids())
            }
            #expect(try await ids("") == [phishing, threat, general, viaAPI])
            #expect(try await ids("status=accepted") == [phishing])
            #expect(try await ids("status=denied&status=submitted") == [threat, general, viaAPI])
            #expect(try await ids("type=THREAT&type=GEN") == [threat, general])
            #expect(try await ids("domain=login.example.com&domain=forum.example.com") == [phishing, threat])
            #expect(try await ids("id=\(general)") == [general])
            #expect(try await ids("created_before=2026-11-23T12:01:30Z") == [phishing, threat])
            #expect(try await ids("per_page=200").count == 4)
            #expect(try await world.send(.GET, base + "?per_page=201", token: world.otherToken).status == .badRequest)
            #expect(try await world.send(.GET, base + "?status=in_review", token: world.otherToken).errorFields == ["status"])
            // The reported customer's own list is not the submitter's.
            #expect(try await world.send(.GET, world.reports(world.acme) + "/submitted", token: world.acmeToken).ids().isEmpty)

            let list = try await world.send(.GET, base + "?sort=cdate,asc", token: world.otherToken)
            let denied = try #require(list.result["reports"]?.arrayValue?.first { $0["id"] == .string(threat) })
            #expect(denied["status"] == "denied" && denied["denial_reason"] == "content_removed")
            #expect(denied["submitter"]?["email"] == "pat@example.org")

            let detail = try await world.send(.GET, base + "/\(general)", token: world.otherToken).result
            #expect(detail["type"] == "GEN" && detail["status"] == "submitted" && detail["denial_reason"] == .null)
            #expect(detail["urls"] == ["https://files.example.com/g"])
            #expect(detail["source_ips"] == ["203.0.113.50"])
            #expect(detail["ports_protocols"] == ["80/TCP", "443/TCP"])
            #expect(detail["host_notification"] == "send" && detail["owner_notification"] == "send-anon")
            #expect(detail["dsa_attestation"] == false)
            #expect(try await world.send(.GET, base + "/\(phishing)", token: world.acmeToken).status == .forbidden, "acme's token, other's path")
            #expect(try await world.send(.GET, world.reports(world.acme) + "/submitted/\(phishing)", token: world.acmeToken).status == .notFound)

            // The submitter's receipt and the decision, once sent.
            try await world.deliverMail()
            let emails = try await world.send(.GET, base + "/\(phishing)/emails", token: world.otherToken)
            #expect(try emails.result["emails"]?.arrayValue?.map { $0["subject"]?.stringValue ?? "" }
                == ["Report \(phishing) received: Phishing", "Report \(phishing) accepted: Phishing"])
            #expect(try emails.result["emails"]?.arrayValue?.allSatisfy { $0["recipient"] == "pat@example.org" } == true)
        }
    }

    @Test func theOwnerLearnsTheSubmitterOnlyWhenAllowed() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let world = try await AccountsWorld(app)
            let examples = try await Self.examples(app)
            var body = try #require(examples["abuse_phishing"]?.objectValue)
            for (choice, url) in [("send", "https://login.example.com/1"), ("send-anon", "https://login.example.com/2")] {
                body["owner_notification"] = .string(choice)
                body["urls"] = .string(url)
                #expect(try await world.send(.POST, world.reports(world.other) + "/abuse_phishing", token: world.otherToken, json: .object(body)).status == .ok)
                clock.advance(by: 1)
            }
            let reports = try await world.send(.GET, world.reports(world.acme) + "?sort=cdate,asc", token: world.acmeToken).result["reports"]?.arrayValue ?? []
            #expect(reports.map { $0["submitter"]?["name"] ?? .null } == ["Pat Reporter", .null])
        }
    }

    @Test func theReportAbuseAPIWithAToken() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let id = try await world.fileURLReport(token: world.acmeToken)
            #expect(try await ReportModel.find(id, on: app.db)?.submitterAccountID == world.acme)
            let forged = try await world.send(.POST, "/report/v2.0/abuse", token: String(repeating: "A", count: 43), json: Reports.url())
            #expect(forged.status == .unauthorized)
            #expect(try forged.json["code"] == "Unauthorized")
            #expect(try await world.send(.POST, "/report/v2.0/abuse", token: world.acmeReadOnly, json: Reports.url()).status == .forbidden)
            let readOnly = try await world.send(.POST, "/report/v2.0/abuse", token: world.acmeReadOnly, json: Reports.url())
            #expect(try readOnly.json["message"]?.stringValue?.contains("it needs the \"edit\" scope") == true)
            #expect(try await world.send(.POST, "/report/v2.0/abuse", token: world.adminToken, json: Reports.url()).status == .forbidden)
            #expect(try await app.count("reports") == 1)
            // The document says so too.
            let answers = try await app.send(.GET, "/openapi.json").json["paths"]?["/report/v2.0/abuse"]?["post"]?["responses"]
            #expect(answers?["401"] != nil && answers?["403"] != nil)
        }
    }
}
